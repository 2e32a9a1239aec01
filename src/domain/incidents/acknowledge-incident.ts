import { Forbidden } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { isOnlyShadowOf } from '../paging/queries.ts';
import { stopPaging } from '../paging/stop-paging.ts';
import { changeIncident, type IncidentChange } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import { assertOpen, type Incident } from './incident.ts';
import type { AcknowledgeIncidentInput } from './inputs.ts';
import * as incidents from './queries.ts';
import { roleRefusal } from './role-constraints.ts';

/**
 * roles[].firstToAcknowledge: the person who acknowledges first takes each such role still unfilled,
 * when its constraints let them (holders, notWith).
 */
async function takeRolesOnAcknowledgement(c: IncidentChange): Promise<void> {
  const { userId } = c.ctx.actor;
  if (!userId) return;
  for (const role of c.plan.roles.filter((r) => r.firstToAcknowledge)) {
    if (await incidents.findRole(c.tx, c.incident.id, role.id)) continue;
    const candidate = {
      incidentId: c.incident.id,
      service: c.incident.service,
      role: role.id,
      userId,
      handle: c.ctx.actor.name,
    };
    if (await roleRefusal(c.tx, c.plan, candidate, c.now)) continue;
    await incidents.upsertRole(c.tx, {
      incident_id: c.incident.id,
      role: role.id,
      user_id: userId,
      assigned_at: c.now,
    });
    await c.event(EVENT_KINDS.roleAssigned, {
      role: role.id,
      user: c.ctx.actor.name,
      previous: null,
      auto: true,
      from: 'the first acknowledgement',
    });
    await c.audit(
      'incident.role_assigned',
      { role: role.id, user: null },
      { role: role.id, user: c.ctx.actor.name },
    );
  }
}

/** Acknowledges an incident; a repeat is not an error and changes nothing. */
export async function acknowledgeIncident({
  ctx,
  input,
}: Operation<AcknowledgeIncidentInput>): Promise<Incident> {
  ctx.require('incident:update');
  return changeIncident(ctx, input.incidentId, {}, async (c) => {
    if (c.incident.acknowledged_at) return c.incident;
    assertOpen(c.incident, c.lifecycle, 'acknowledge it');
    const { userId } = c.ctx.actor;
    if (userId && (await isOnlyShadowOf(c.tx, c.incident.id, userId))) {
      throw new Forbidden(
        `${c.ctx.actor.name} shadows the pages of incident ${c.incident.id} (training): a shadow cannot acknowledge; ` +
          'the people paged acknowledge, and the escalation goes on until one of them does',
        // A marker callers (a drill) can tell this refusal by, not only its wording.
        [{ path: 'shadow', message: 'a shadow cannot acknowledge' }],
      );
    }
    const after = await incidents.updateIncident(c.tx, c.incident.id, {
      acknowledged_at: c.now,
      updated_at: c.now,
    });
    await c.event(EVENT_KINDS.acknowledged);
    // In this transaction: once "acknowledged" is answered, no further page of it goes out.
    await stopPaging(c.tx, c.incident.id, 'acknowledged', c.ctx.actor.name, c.now);
    await c.audit('incident.acknowledged', { acknowledged_at: null }, { acknowledged_at: c.now });
    await takeRolesOnAcknowledgement(c);
    return after;
  });
}
