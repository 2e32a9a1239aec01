import type { ComponentStatus, Executor } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { Invalid, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Actor, Operation } from '../context.ts';
import { isId } from '../incidents/incident.ts';
import * as incidents from '../incidents/queries.ts';
import { statusPageChanged } from './cache.ts';
import { componentNameSchema, componentStatusInputSchema } from './inputs.ts';
import * as q from './queries.ts';

export interface ComponentStatusChange {
  name: string;
  status: ComponentStatus;
  incidentId?: string | undefined;
}

/**
 * Sets a component's status inside the caller's transaction: the one step the API, the CLI and the
 * plan's setStatusPageComponent workflow action share. Records the change (for uptime), lists the
 * component on the incident, and audits it. Undefined when there is no such component.
 */
export async function applyComponentStatus(
  tx: Executor,
  actor: Actor,
  now: Date,
  change: ComponentStatusChange,
) {
  const before = await q.lockComponentByName(tx, change.name);
  if (!before) return undefined;
  if (change.incidentId) await q.linkIncidentComponent(tx, change.incidentId, before.id);
  if (before.status === change.status) return { component: before, changed: false };
  const after = await q.updateComponent(tx, before.id, { status: change.status, updated_at: now });
  await q.insertComponentChange(tx, {
    component_id: before.id,
    status: change.status,
    at: now,
    incident_id: change.incidentId ?? null,
    actor_name: actor.name,
  });
  await audit.record(tx, actor, now, {
    action: 'status_page.component_status_changed',
    entityType: 'status_page_component',
    entityId: before.id,
    before: { status: before.status },
    after: { status: change.status, incident_id: change.incidentId ?? null },
  });
  return { component: after, changed: true };
}

/** Sets a component's public status, optionally on behalf of an incident. */
export async function setComponentStatus({
  ctx,
  input,
}: Operation<{ name: string; status: string; incident_id?: string | undefined }>) {
  ctx.require('status-page:status');
  const name = componentNameSchema.parse(input.name);
  const data = componentStatusInputSchema.parse({ status: input.status, incident_id: input.incident_id });
  const result = await inTx(ctx.db, async (tx) => {
    if (
      data.incident_id &&
      !(isId(data.incident_id) && (await incidents.findIncident(tx, data.incident_id)))
    ) {
      throw new Invalid('unknown incident', [
        { path: 'incident_id', message: `no incident ${data.incident_id}` },
      ]);
    }
    const done = await applyComponentStatus(tx, ctx.actor, ctx.clock.now(), {
      name,
      status: data.status,
      incidentId: data.incident_id,
    });
    if (!done) throw new NotFound('status page component', name);
    return done;
  });
  statusPageChanged(ctx.db);
  return result;
}
