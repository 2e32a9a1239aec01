import type { Executor, Row } from '../../db/schema.ts';
import { flushSteps } from '../paging/flush-steps.ts';
import type { Plan } from '../plans/plan.ts';
import type { FireEnv } from './fire.ts';
import type { PlanCache } from './plan-cache.ts';
import * as q from './queries.ts';
import { type IncidentSnapshot, snapshotOf } from './snapshot.ts';

/** What the workflow engine modules pass to the workflow operations: their tx, clock reading, plans. */
export interface WorkflowEnv extends FireEnv {
  plans: PlanCache;
  /** Called when a claim was full (events may be left): the engine's TickContext.more. */
  more?: (() => void) | undefined;
}

/** Whether a plan's workflows look at other incidents (the one condition that needs the database). */
export function usesOpenIncidents(plan: Plan): boolean {
  return plan.workflows.some((w) => w.if?.openIncidents !== undefined);
}

/**
 * Snapshots of incident rows with their last published updates (two extra queries for all of them),
 * and, when one of their plans uses `if.openIncidents`, the open incidents per severity (one more).
 */
export async function loadSnapshots(
  tx: Executor,
  rows: Row<'incidents'>[],
  plans: PlanCache,
): Promise<Map<string, IncidentSnapshot>> {
  const ids = rows.map((r) => String(r.id));
  // Page events a batch held back (paging/flush-steps.ts) are timer anchors: written first.
  await flushSteps(tx);
  const updates = await q.lastPublishedUpdates(tx, ids);
  const moments = await q.timerMoments(tx, ids);
  const counting = new Set<string>();
  for (const r of rows) {
    if (usesOpenIncidents(await plans.get(tx, r.plan_name, r.plan_version))) counting.add(String(r.id));
  }
  const open = counting.size > 0 ? await q.openIncidentCounts(tx) : undefined;
  return new Map(
    rows.map((r) => {
      const snapshot = snapshotOf(r, updates, moments);
      if (open && counting.has(String(r.id))) snapshot.open_incidents = open;
      return [String(r.id), snapshot];
    }),
  );
}
