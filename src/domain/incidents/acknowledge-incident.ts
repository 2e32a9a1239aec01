import type { Operation } from '../context.ts';
import { stopPaging } from '../paging/stop-paging.ts';
import { changeIncident } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import { assertOpen, type Incident } from './incident.ts';
import type { AcknowledgeIncidentInput } from './inputs.ts';
import * as incidents from './queries.ts';

/** Acknowledges an incident; a repeat is not an error and changes nothing. */
export async function acknowledgeIncident({
  ctx,
  input,
}: Operation<AcknowledgeIncidentInput>): Promise<Incident> {
  ctx.require('incident:update');
  return changeIncident(ctx, input.incidentId, {}, async (c) => {
    if (c.incident.acknowledged_at) return c.incident;
    assertOpen(c.incident, c.lifecycle, 'acknowledge it');
    const after = await incidents.updateIncident(c.tx, c.incident.id, {
      acknowledged_at: c.now,
      updated_at: c.now,
    });
    await c.event(EVENT_KINDS.acknowledged);
    // In this transaction: once "acknowledged" is answered, no further page of it goes out.
    await stopPaging(c.tx, c.incident.id, 'acknowledged', c.ctx.actor.name, c.now);
    await c.audit('incident.acknowledged', { acknowledged_at: null }, { acknowledged_at: c.now });
    return after;
  });
}
