import { Invalid } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { changeIncident } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import { changedFields, type Incident, mergePatch } from './incident.ts';
import { incidentPatchSchema, type UpdateIncidentInput } from './inputs.ts';
import * as incidents from './queries.ts';

const MAX_ENTRIES = 50;

type Editable = Pick<
  Incident,
  'title' | 'summary' | 'impact' | 'service' | 'customer_facing' | 'labels' | 'fields'
>;

/** Edits descriptive fields; labels and custom fields merge (null removes a key). */
export async function updateIncident({ ctx, input }: Operation<UpdateIncidentInput>): Promise<Incident> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const patch = incidentPatchSchema.parse(body);
  return changeIncident(ctx, incidentId, { refusedWhenResolved: 'edit it' }, async (c) => {
    const current = c.incident;
    const next: Partial<Editable> = {
      title: patch.title,
      summary: patch.summary,
      impact: patch.impact,
      service: patch.service,
      customer_facing: patch.customer_facing,
      labels: patch.labels && mergePatch(current.labels, patch.labels),
      fields: patch.fields && mergePatch(current.fields, patch.fields),
    };
    for (const key of ['labels', 'fields'] as const) {
      if (Object.keys(next[key] ?? {}).length > MAX_ENTRIES) {
        throw new Invalid(`too many ${key}`, [
          { path: key, message: `at most ${MAX_ENTRIES} after merging` },
        ]);
      }
    }
    const changed = changedFields(current, next);
    if (changed.length === 0) return current;
    const set = Object.fromEntries(
      changed.map((f) => [f, f === 'labels' || f === 'fields' ? JSON.stringify(next[f]) : next[f]]),
    );
    const after = await incidents.updateIncident(c.tx, current.id, { ...set, updated_at: c.now });
    for (const field of changed) {
      await c.event(EVENT_KINDS.fieldChanged, { field, from: current[field], to: after[field] });
    }
    await c.audit(
      'incident.updated',
      Object.fromEntries(changed.map((f) => [f, current[f]])),
      Object.fromEntries(changed.map((f) => [f, after[f]])),
    );
    return after;
  });
}
