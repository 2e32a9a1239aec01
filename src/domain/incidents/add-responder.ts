import type { Row } from '../../db/schema.ts';
import type { Operation } from '../context.ts';
import { pageFromPlan } from '../paging/page-from-plan.ts';
import { changeIncident, usersByHandle } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import { type AddResponderInput, responderBodySchema } from './inputs.ts';
import * as incidents from './queries.ts';

/**
 * Adds a responder (a role such as "SRE on-call", optionally with the user filling it). Adding one
 * that is already there only fills in a user or reason it lacked, so a retry is harmless.
 */
export async function addResponder({
  ctx,
  input,
}: Operation<AddResponderInput>): Promise<Row<'incident_responders'>> {
  ctx.require('incident:update');
  const { incidentId, source = 'manual', ...body } = input;
  const data = responderBodySchema.parse(body);
  return changeIncident(ctx, incidentId, { refusedWhenResolved: 'add responders' }, async (c) => {
    const user = data.user
      ? (await usersByHandle(c.tx, [data.user], () => 'user')).get(data.user)
      : undefined;
    const existing = await incidents.findResponder(c.tx, c.incident.id, data.responder);
    if (existing) {
      const set = {
        ...(user && existing.user_id !== user.id ? { user_id: user.id } : {}),
        ...(data.reason && data.reason !== existing.reason ? { reason: data.reason } : {}),
      };
      if (Object.keys(set).length === 0) return existing;
      const after = await incidents.updateResponder(c.tx, existing.id, set);
      await c.audit('incident.responder_updated', existing, after, {
        type: 'incident_responder',
        id: after.id,
      });
      return after;
    }
    const [added] = await incidents.insertResponders(c.tx, [
      {
        incident_id: c.incident.id,
        responder: data.responder,
        user_id: user?.id ?? null,
        reason: data.reason,
        source,
        added_at: c.now,
      },
    ]);
    if (!added) throw new Error('responder insert returned no row');
    await c.event(EVENT_KINDS.responderAdded, {
      responder: added.responder,
      user: data.user ?? null,
      source: added.source,
    });
    await c.audit('incident.responder_added', undefined, added, { type: 'incident_responder', id: added.id });
    // A responder is paged: the named user, else whoever the responder names (a plan group or role,
    // schedule:<name>'s on-call, team:<name>), through their own notification rules.
    await pageFromPlan(c.tx, {
      incident: c.incident,
      plan: c.plan,
      who: [data.user ? `user:${data.user}` : added.responder],
      channels: [],
      kind: 'paging',
      servicePolicy: false,
      source: `responder:${added.responder}`,
      message: `[${c.incident.severity}] ${c.incident.title}: you are asked to respond (${added.responder})`,
      now: c.now,
    });
    return added;
  });
}
