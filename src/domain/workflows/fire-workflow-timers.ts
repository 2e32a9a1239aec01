import type { Plan } from '../plans/plan.ts';
import { effectiveRules } from './compile-plan-rules.ts';
import { loadSnapshots, type WorkflowEnv } from './engine-env.ts';
import { type Firing, safeEvaluate, timerHeldByClock } from './evaluate.ts';
import { fire, firingsOf } from './fire.ts';
import { nextTimerAt } from './next-timer.ts';
import * as q from './queries.ts';
import type { IncidentSnapshot } from './snapshot.ts';

/** Timer firings produce events one step into a chain (see evaluate.ts MAX_CHAIN_DEPTH). */
const TIMER_CHAIN = 1;

/**
 * At most this many incidents are looked at in one pass; a full batch asks the engine for another
 * pass at once (it returns the batch's size), so a backlog drains without one long transaction.
 */
export const TIMER_BATCH = 500;

/**
 * One pass of the timers over the incidents whose timers are due (incident_timers): elapsed-time
 * rules, target breaches, cadence and status-page reminders whose time has come on the engine's
 * clock. Each incident looked at gets the moment its next timer may fire (nextTimerAt), so a pass
 * reads the incidents with work, not a snapshot of every open one; a change to its timeline makes it
 * due again (processWorkflowEvents marks it). Returns how many rules fired (the batch size when it was full).
 */
export async function fireWorkflowTimers(env: WorkflowEnv): Promise<number> {
  const { rows, versions } = await q.dueTimerIncidents(env.tx, env.now, TIMER_BATCH);
  if (rows.length === 0) return 0;
  // Resolution-anchored timers (post-mortem due, follow-ups) end AFTER_RESOLUTION_DAYS after it.
  const since = env.now.getTime() - q.AFTER_RESOLUTION_DAYS * 86_400_000;
  const live = rows.filter((r) => r.resolved_at === null || r.resolved_at.getTime() > since);
  const incidents = await loadSnapshots(env.tx, live, env.plans);
  const fired = await fireTimersFor(env, [...incidents.values()]);
  const now = env.now.getTime();
  const next: { id: string; version: string; at: Date | null }[] = [];
  for (const row of rows) {
    const id = String(row.id);
    const incident = incidents.get(id);
    let at = Number.POSITIVE_INFINITY;
    if (incident) {
      const plan = await env.plans.get(env.tx, incident.plan_name, incident.plan_version);
      const rules = effectiveRules(plan);
      // A due timer a clock-bound condition holds back is looked at again on the next pass.
      at = timerHeldByClock({ plan, incident, trigger: { kind: 'timer' }, now: env.now }, rules)
        ? now + 1
        : nextTimerAt(rules, plan, incident, now);
      // Nothing fires past the window after resolution: no need to look again.
      const windowEnd = incident.resolved_at ? incident.resolved_at.getTime() + (now - since) : Infinity;
      if (at > windowEnd) at = Number.POSITIVE_INFINITY;
    }
    next.push({ id, version: versions.get(id) ?? '', at: Number.isFinite(at) ? new Date(at) : null });
  }
  await q.setTimersAt(env.tx, next);
  return rows.length === TIMER_BATCH ? Math.max(fired, rows.length) : fired;
}

/** Fires the timer rules due for these incidents that have not fired yet. */
export async function fireTimersFor(env: WorkflowEnv, incidents: IncidentSnapshot[]): Promise<number> {
  const due: { plan: Plan; incident: IncidentSnapshot; firing: Firing }[] = [];
  for (const incident of incidents) {
    const plan = await env.plans.get(env.tx, incident.plan_name, incident.plan_version);
    for (const firing of safeEvaluate(env, { plan, incident, trigger: { kind: 'timer' }, now: env.now })) {
      due.push({ plan, incident, firing });
    }
  }
  if (due.length === 0) return 0;
  // Most due timers fired on an earlier tick: one query drops those before any insert is tried.
  const keyOf = (d: (typeof due)[number]) => ({
    incident_id: d.incident.id,
    workflow: d.firing.rule.name,
    trigger_key: d.firing.triggerKey,
  });
  const done = await q.existingRuns(env.tx, due.map(keyOf));
  const todo = due.filter((d) => !done.has(q.runKeyOf(keyOf(d))));
  if (todo.length === 0) return 0;
  const fireAll = async (run: WorkflowEnv, firings: typeof todo) => {
    let fired = 0;
    for (const d of firings) {
      if ((await fire(run, d.plan, d.incident, d.firing, TIMER_CHAIN)) !== 'already') fired++;
    }
    return fired;
  };
  // Within a caller's batch (processWorkflowEvents) the caller's savepoint covers these firings.
  if (env.isolate === false) return fireAll(env, todo);
  // The first attempt works on copies (actions change their incident in place); the isolated re-run
  // after a failure on the snapshots as loaded.
  return firingsOf(env, (run) => fireAll(run, run.isolate === false ? copiesOf(todo) : todo));
}

/** The firings with each incident copied once (firings of one incident share the copy). */
function copiesOf<T extends { incident: IncidentSnapshot }>(firings: T[]): T[] {
  const copies = new Map<string, IncidentSnapshot>();
  return firings.map((d) => {
    const copy = copies.get(d.incident.id) ?? structuredClone(d.incident);
    copies.set(d.incident.id, copy);
    return { ...d, incident: copy };
  });
}
