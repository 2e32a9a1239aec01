import type { Plan } from '../plans/plan.ts';
import { loadSnapshots, type WorkflowEnv } from './engine-env.ts';
import { type Firing, safeEvaluate } from './evaluate.ts';
import { fire } from './fire.ts';
import * as q from './queries.ts';
import type { IncidentSnapshot } from './snapshot.ts';

/** Timer firings produce events one step into a chain (see evaluate.ts MAX_CHAIN_DEPTH). */
const TIMER_CHAIN = 1;

/**
 * One pass of the timers over every open incident: elapsed-time rules, target breaches, cadence and
 * status-page reminders whose time has come on the engine's clock. Returns how many rules fired.
 */
export async function fireWorkflowTimers(env: WorkflowEnv): Promise<number> {
  const rows = await q.openIncidents(env.tx, env.now);
  if (rows.length === 0) return 0;
  const incidents = await loadSnapshots(env.tx, rows);
  return fireTimersFor(env, [...incidents.values()]);
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
  let fired = 0;
  for (const d of due) {
    if (done.has(q.runKeyOf(keyOf(d)))) continue;
    if ((await fire(env, d.plan, d.incident, d.firing, TIMER_CHAIN)) !== 'already') fired++;
  }
  return fired;
}
