import type { Executor } from '../../db/schema.ts';
import { Invalid, NotFound } from '../../errors.ts';
import type { Actor, Operation } from '../context.ts';
import { publicTitle } from '../plans/placeholders.ts';
import { changeIncident, type IncidentChange } from './change.ts';
import { hiddenIncidentIds, requireVisibleId } from './confidential.ts';
import { EVENT_KINDS } from './events.ts';
import { isId } from './incident.ts';
import type { LinkIncidentsInput } from './inputs.ts';
import * as incidents from './queries.ts';

export interface LinkResult {
  /** False when the incidents already were linked (linking) or were not (unlinking): nothing changed. */
  changed: boolean;
  related: Awaited<ReturnType<typeof incidents.listRelated>>;
}

/** The incidents related to one that this actor may see (a confidential one stays out of sight). */
export async function visibleRelated(db: Executor, incidentId: string, actor: Actor, now: Date) {
  const related = await incidents.listRelated(db, incidentId);
  const hidden = await hiddenIncidentIds(
    db,
    related.map((r) => r.id),
    actor,
    now,
  );
  return related.filter((r) => !hidden.has(r.id));
}

/**
 * The other side of a link, checked inside the change's transaction. It is read, not locked: the
 * pair row is the only shared state, and locking both incidents in request order could deadlock two
 * people linking the same pair from opposite sides.
 */
async function otherIncident(c: IncidentChange, otherId: string, path: string) {
  if (otherId === c.incident.id) {
    throw new Invalid('an incident cannot be linked to itself', [
      { path, message: 'must be another incident' },
    ]);
  }
  const other = isId(otherId) ? await incidents.findIncident(c.tx, otherId) : undefined;
  if (!other) throw new NotFound('incident', otherId);
  // A confidential incident the actor may not see answers as a missing one.
  await requireVisibleId(c.tx, other.id, c.ctx.actor, c.now);
  return other;
}

/** Appends the same timeline event to the other incident, naming this one. */
function eventOnOther(
  c: IncidentChange,
  otherId: string,
  kind: typeof EVENT_KINDS.linked | typeof EVENT_KINDS.unlinked,
) {
  return incidents.appendEvent(c.tx, {
    incidentId: otherId,
    kind,
    at: c.now,
    actor: c.ctx.actor,
    data: { incident_id: c.incident.id, title: c.incident.title },
  });
}

/** Marks two incidents as related; shown both ways, in both timelines; a repeat changes nothing. */
export async function linkIncidents({ ctx, input }: Operation<LinkIncidentsInput>): Promise<LinkResult> {
  ctx.require('incident:update');
  return changeIncident(ctx, input.incidentId, {}, async (c) => {
    const other = await otherIncident(c, input.otherId, 'incident_id');
    const changed = await incidents.insertLink(c.tx, c.incident.id, other.id, c.now, ctx.actor.name);
    if (changed) {
      await c.event(EVENT_KINDS.linked, { incident_id: other.id, title: publicTitle(other) });
      await eventOnOther(c, other.id, EVENT_KINDS.linked);
      await c.audit('incident.linked', undefined, { incident_id: c.incident.id, other_id: other.id });
    }
    return { changed, related: await visibleRelated(c.tx, c.incident.id, ctx.actor, c.now) };
  });
}

/** Removes the link between two incidents; unlinking a pair that is not linked changes nothing. */
export async function unlinkIncidents({ ctx, input }: Operation<LinkIncidentsInput>): Promise<LinkResult> {
  ctx.require('incident:update');
  return changeIncident(ctx, input.incidentId, {}, async (c) => {
    const other = await otherIncident(c, input.otherId, 'other');
    const changed = await incidents.deleteLink(c.tx, c.incident.id, other.id);
    if (changed) {
      await c.event(EVENT_KINDS.unlinked, { incident_id: other.id, title: publicTitle(other) });
      await eventOnOther(c, other.id, EVENT_KINDS.unlinked);
      await c.audit('incident.unlinked', { incident_id: c.incident.id, other_id: other.id }, undefined);
    }
    return { changed, related: await visibleRelated(c.tx, c.incident.id, ctx.actor, c.now) };
  });
}
