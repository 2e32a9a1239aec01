import type { Executor } from '../../db/schema.ts';
import { parseDuration } from '../../lib/duration.ts';
import { remindBeforeMs } from '../action-items/remind-due.ts';
import * as incidents from '../incidents/queries.ts';
import { MILESTONE_OF, targetDueAt } from '../incidents/targets.ts';
import { nextPagingDueAt } from '../paging/queries.ts';
import type { Plan } from '../plans/plan.ts';
import { cadenceDue } from '../updates/cadence.ts';
import { addPlanSpan, planBusinessHours, planSpanOf, spanElapsed } from '../workflows/business-hours.ts';
import { effectiveRules } from '../workflows/compile-plan-rules.ts';
import { loadSnapshots } from '../workflows/engine-env.ts';
import { anchorOf, earlyAt } from '../workflows/evaluate.ts';
import { PlanCache } from '../workflows/plan-cache.ts';
import { isElapsedTrigger, isOverdueTrigger, isTargetTrigger, type Rule } from '../workflows/rules.ts';
import type { IncidentSnapshot } from '../workflows/snapshot.ts';
import type { TimerTrigger } from '../workflows/workflow-schema.ts';
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

function dueTimes(rule: Rule, plan: Plan, incident: IncidentSnapshot, now: number): number[] {
  const { when } = rule;
  if (isTargetTrigger(when)) {
    const dueAt = targetDueAt(plan, incident, when.target);
    if (!dueAt || incident[MILESTONE_OF[when.target]]) return [];
    const due = dueAt.getTime();
    const before = parseDuration(when.before ?? '0s');
    // A breach fires once the due time has passed (due itself still counts as met).
    return [before === 0 ? due + 1 : due - before];
  }
  // Elapsed and cadence timers run only while the incident is open, but for those counting from it.
  if (incident.resolved_at && !(isElapsedTrigger(when) && when.since === 'resolved')) return [];
  if (isElapsedTrigger(when)) {
    const anchor = anchorOf(when, incident);
    return anchor === null ? [] : [nextElapsed(plan, when, anchor, now)];
  }
  if (isOverdueTrigger(when)) {
    const cadence = cadenceDue(plan, incident, when.overdue);
    if (!cadence || cadence.every <= 0) return [];
    if (when.ahead !== undefined) {
      const at = earlyAt(when, cadence.due, incident);
      return at === undefined ? [] : [at];
    }
    if (when.by !== undefined) return [cadence.due.getTime() + parseDuration(when.by)];
    // Overdue fires just after each due moment (an update exactly on time is on time).
    const due = cadence.due.getTime();
    const passed = now < due ? 0 : Math.floor((now - due) / cadence.every) + 1;
    return [due + passed * cadence.every + 1];
  }
  return [];
}

/** When an elapsed timer next falls due after now, in wall-clock or business time. */
function nextElapsed(plan: Plan, when: TimerTrigger, anchor: Date, now: number): number {
  const hours = planBusinessHours(plan);
  const span = planSpanOf(when.elapsed, hours);
  if (!span.business) return nextPeriod(anchor.getTime(), span.ms, now, when.repeat === true);
  // Periods of business time: count the business time passed so far, then add the next whole period.
  const passed = anchor.getTime() + spanElapsed(anchor, new Date(now), span, hours);
  const n =
    (nextPeriod(anchor.getTime(), span.ms, passed, when.repeat === true) - anchor.getTime()) / span.ms;
  return addPlanSpan(anchor, { ms: n * span.ms, business: true }, hours).getTime();
}

/** anchor + n·period for the first n ≥ 1 after now (only n = 1 when it does not repeat). */
function nextPeriod(anchor: number, periodMs: number, now: number, repeat: boolean): number {
  // elapsed 0: due at the anchor itself (a scheduled time), once.
  if (periodMs <= 0) return repeat ? Number.POSITIVE_INFINITY : anchor;
  if (!repeat) return anchor + periodMs;
  return anchor + Math.max(1, Math.floor((now - anchor) / periodMs) + 1) * periodMs;
}
