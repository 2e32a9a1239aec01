import type { Executor, Row } from '../../db/schema.ts';
import type { FireEnv } from './fire.ts';
import type { PlanCache } from './plan-cache.ts';
import * as q from './queries.ts';
import { type IncidentSnapshot, snapshotOf } from './snapshot.ts';

/** What the workflow engine modules pass to the workflow operations: their tx, clock reading, plans. */
export interface WorkflowEnv extends FireEnv {
  plans: PlanCache;
}

/** Snapshots of incident rows with their last published updates (two extra queries for all of them). */
export async function loadSnapshots(
  tx: Executor,
  rows: Row<'incidents'>[],
): Promise<Map<string, IncidentSnapshot>> {
  const ids = rows.map((r) => String(r.id));
  const updates = await q.lastPublishedUpdates(tx, ids);
  const moments = await q.timerMoments(tx, ids);
  return new Map(rows.map((r) => [String(r.id), snapshotOf(r, updates, moments)]));
}
