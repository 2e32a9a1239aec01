import type { Executor } from '../../db/schema.ts';
import { remindBeforeMs } from '../action-items/remind-due.ts';
import * as incidents from '../incidents/queries.ts';
import { nextPagingDueAt } from '../paging/queries.ts';
import type { Plan } from '../plans/plan.ts';
import { effectiveRules } from '../workflows/compile-plan-rules.ts';
import { loadSnapshots } from '../workflows/engine-env.ts';
import { dueTimes } from '../workflows/next-timer.ts';
import { PlanCache } from '../workflows/plan-cache.ts';
import { dueItems, nextEscalationAt } from './queries.ts';

// Where a drill's virtual clock must stop so every timer rule fires at its own time: the drill
// jumps from one due time to the next instead of ticking the engine through empty minutes. It
// uses the anchors of workflows/evaluate.ts (the engine stays the judge of what fires; a stop
// where nothing fires costs one idle tick).

/** The next moment after `now` at which a timer rule of the plan may fire for the incident. */
export async function nextDue(db: Executor, plan: Plan, incidentId: string, now: Date): Promise<number> {
  const row = await incidents.findIncident(db, incidentId);
  if (!row) return Number.POSITIVE_INFINITY;
  // The engine's own loader, so a drill sees what the engine sees (open incidents counted too).
  const incident = (await loadSnapshots(db, [row], new PlanCache())).get(String(row.id));
  if (!incident) return Number.POSITIVE_INFINITY;
  const times = effectiveRules(plan).flatMap((rule) => dueTimes(rule, plan, incident, now.getTime()));
  // Due tasks (tasks.remindBefore, tasks.escalateTo): the reminder, and just past the due time.
  const { items } = await dueItems(db, incidentId);
  const before = remindBeforeMs(plan);
  for (const item of items) {
    if (item.done_at || !item.due_at) continue;
    times.push(item.due_at.getTime() - before, item.due_at.getTime() + 1);
  }
  // The next escalation step (escalationPolicies[].steps[].escalateAfter) pages at its own time.
  const escalation = await nextEscalationAt(db);
  if (escalation) times.push(escalation.getTime());
  return Math.min(Number.POSITIVE_INFINITY, ...times.filter((t) => t > now.getTime()));
}

/**
 * The next moment after `now` at which the engine may have work for these incidents: a timer rule or
 * due task of one of them (each judged by its own plan version), or paging — an escalation step, a
 * delayed, throttled or retried message. A virtual clock that jumps to it skips only idle ticks.
 */
export async function nextEngineDue(
  db: Executor,
  plans: PlanCache,
  incidentIds: readonly string[],
  now: Date,
): Promise<number> {
  const paging = await nextPagingDueAt(db, now);
  const times = [paging ? paging.getTime() : Number.POSITIVE_INFINITY];
  for (const id of incidentIds) {
    const row = await incidents.findIncident(db, id);
    if (!row) continue;
    times.push(await nextDue(db, await plans.get(db, row.plan_name, row.plan_version), id, now));
  }
  return Math.min(...times);
}
