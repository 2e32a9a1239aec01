import type { Plan } from '../plans/plan.ts';
import { loadSnapshots, type WorkflowEnv } from './engine-env.ts';
import { type Firing, safeEvaluate } from './evaluate.ts';
import { fire, firingsOf } from './fire.ts';
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
  const incidents = await loadSnapshots(env.tx, rows, env.plans);
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
