import { parseDuration } from '../../lib/duration.ts';
import { MILESTONE_OF, targetDueAt } from '../incidents/targets.ts';
import type { Plan } from '../plans/plan.ts';
import { cadenceDue } from '../updates/cadence.ts';
import { addPlanSpan, planBusinessHours, planSpanOf, spanElapsed } from './business-hours.ts';
import { anchorOf, earlyAt } from './evaluate.ts';
import { isElapsedTrigger, isOverdueTrigger, isTargetTrigger, type Rule } from './rules.ts';
import type { IncidentSnapshot } from './snapshot.ts';
import type { TimerTrigger } from './workflow-schema.ts';

// When a timer rule may next fire for an incident, from the anchors evaluate.ts counts from: the
// workflow-timers pass sleeps on an incident until then (incident_timers), and a drill's virtual
// clock jumps there. Pure; the evaluator stays the judge of what fires (a moment where nothing does
// costs one look).

/** The first moment after `now` at which one of the rules may fire for the incident (Infinity: none). */
export function nextTimerAt(rules: Rule[], plan: Plan, incident: IncidentSnapshot, now: number): number {
  let next = Number.POSITIVE_INFINITY;
  for (const rule of rules) {
    if (rule.untilPostmortemPublished && incident.postmortem_published_at) continue;
    for (const t of dueTimes(rule, plan, incident, now)) if (t > now && t < next) next = t;
  }
  return next;
}

/** Moments a timer rule may fire at (those not after `now` are already due, or past). */
export function dueTimes(rule: Rule, plan: Plan, incident: IncidentSnapshot, now: number): number[] {
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
