import { Conflict, NotFound } from '../../errors.ts';
import { gatesFor } from '../action-approvals/gates.ts';
import * as alerts from '../alerts/queries.ts';
import type { Operation } from '../context.ts';
import { publicTitle } from '../plans/placeholders.ts';
import { changeIncident, type IncidentChange, moveToState } from './change.ts';
import { requireVisibleId } from './confidential.ts';
import { EVENT_KINDS } from './events.ts';
import { type Incident, isId } from './incident.ts';
import { type MergeIncidentInput, mergeBodySchema } from './inputs.ts';
import * as incidents from './queries.ts';

/**
 * The incident taken over, locked too: two merges into or out of the same incident wait for each
 * other. Refused (409, with the reason) when it is this incident, already merged (which also covers
 * the only possible cycle: merged incidents are never targets) or resolved.
 */
async function mergeTarget(c: IncidentChange, intoId: string): Promise<Incident> {
  if (intoId === c.incident.id) throw new Conflict(`cannot merge incident ${intoId} into itself`);
  const into = isId(intoId) ? await incidents.lockIncident(c.tx, intoId) : undefined;
  if (!into) throw new NotFound('incident', intoId);
  // A confidential incident the actor may not see answers as a missing one.
  await requireVisibleId(c.tx, into.id, c.ctx.actor, c.now);
  if (into.merged_into === c.incident.id) {
    throw new Conflict(
      `cannot merge incident ${c.incident.id} into ${into.id}: ${into.id} was merged into ${c.incident.id} (a cycle)`,
    );
  }
  if (into.merged_into !== null) {
    throw new Conflict(
      `cannot merge into incident ${into.id}: it was merged into ${into.merged_into}; merge into that one`,
    );
  }
  if (into.resolved_at !== null) {
    throw new Conflict(`cannot merge into incident ${into.id}: it is resolved; reopen it first`);
  }
  return into;
}

/**
 * Merges a duplicate incident into another: its alerts (and alerts detached from it) move to the
 * other, so their later events follow it; it is resolved as merged (merged_into), under its plan's
 * rules for resolving; both timelines say so, and the two are linked. One transaction, audited.
 */
export async function mergeIncident({ ctx, input }: Operation<MergeIncidentInput>): Promise<Incident> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = mergeBodySchema.parse(body);
  return changeIncident(ctx, incidentId, { refusedWhenResolved: 'be merged' }, async (c) => {
    const into = await mergeTarget(c, data.into);
    const resolve = { kind: 'state' as const, from: c.incident.state, to: c.lifecycle.resolved };
    if (ctx.actor.kind !== 'system' && gatesFor(c.plan, c.lifecycle, resolve).length > 0) {
      throw new Conflict(
        `cannot merge incident ${c.incident.id}: its plan gates resolving it (approvals.actions); resolve it through approval`,
      );
    }
    const moved = await alerts.moveIncidentAlerts(c.tx, c.incident.id, into.id, c.now);
    await alerts.moveDetachedFrom(c.tx, c.incident.id, into.id, c.now);
    await alerts.insertEvents(
      c.tx,
      moved.map((a) => ({
        alert_id: a.id,
        at: c.now,
        kind: 'merge',
        actor: ctx.actor.name,
        data: JSON.stringify({ from: c.incident.id, incident_id: into.id }),
      })),
    );
    const merged = { alerts_moved: moved.length, ...(data.reason ? { reason: data.reason } : {}) };
    await c.event(EVENT_KINDS.mergedInto, { incident_id: into.id, title: publicTitle(into), ...merged });
    await incidents.appendEvent(c.tx, {
      incidentId: into.id,
      kind: EVENT_KINDS.mergedIn,
      at: c.now,
      actor: ctx.actor,
      data: { incident_id: c.incident.id, title: publicTitle(c.incident), ...merged },
    });
    await incidents.insertLink(c.tx, c.incident.id, into.id, c.now, ctx.actor.name);
    await incidents.updateIncident(c.tx, c.incident.id, { merged_into: into.id, updated_at: c.now });
    const after = await moveToState(
      { ...c, incident: { ...c.incident, merged_into: into.id } },
      c.lifecycle.resolved,
      { reason: `merged into incident ${into.id}`, resolution: `Merged into incident ${into.id}` },
    );
    await c.audit('incident.merged', { merged_into: null }, { merged_into: into.id, ...merged });
    return after;
  });
}
