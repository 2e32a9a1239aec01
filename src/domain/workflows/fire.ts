import type { Logger } from 'pino';
import type { Executor } from '../../db/schema.ts';
import { emptyPending, txMemo } from '../../db/tx-memo.ts';
import * as audit from '../audit/queries.ts';
import { SYSTEM_ACTOR } from '../context.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import { flushSteps } from '../paging/flush-steps.ts';
import { linkBase } from '../paging/page-from-plan.ts';
import type { Plan } from '../plans/plan.ts';
import { type ActionContext, type ActionResult, emit, runAction } from './actions.ts';
import type { Firing } from './evaluate.ts';
import * as q from './queries.ts';
import { loadVars } from './render.ts';
import { actionKind } from './rules.ts';
import type { IncidentSnapshot } from './snapshot.ts';

export interface FireEnv {
  tx: Executor;
  now: Date;
  log?: Logger | undefined;
  /**
   * false inside firingsOf's first attempt: no savepoint per firing, and a failure is thrown (the
   * batch is then run again isolated). Default true.
   */
  isolate?: boolean | undefined;
  /**
   * The firings react to timeline events this transaction claimed (the workflow-events pass), whose
   * claim marked their incidents' timers due: the workflow.fired records of a batch are then written
   * already processed on an open incident. Nothing reacts to that kind (no trigger, no chat post, no
   * timer counts from it), so its claim was a second pass (a transaction, a commit) for nothing. A
   * timer's firing (the workflow-timers pass) leaves its records for the events pass as before: their
   * claim marks the incident's timers due again after the actions.
   */
  claimed?: boolean | undefined;
}

const BATCH_SAVEPOINT = 'workflow_batch';
/** Actions that only start escalations (the severity's page, a workflow's page): see fire(). */
const PAGING_ACTIONS = new Set(['page', 'escalate']);

/**
 * Runs a batch of firings (work, which must load what it acts on itself) with one savepoint for the
 * batch instead of one per firing (two round trips each). If any firing fails, the whole batch is
 * rolled back and run again with each firing under its own savepoint, so the failing one rolls back
 * alone and is recorded as before: the result is the same, only the common case is cheaper.
 */
export async function firingsOf<E extends FireEnv, T>(env: E, work: (env: E) => Promise<T>): Promise<T> {
  // In an engine tick (db/tx-memo.ts), the batch's escalation steps write their rows together at its
  // end (paging/flush-steps.ts); what an outer batch held back is written first, so a rollback of
  // this batch's savepoint drops only this batch's.
  const memo = txMemo(env.tx);
  await flushSteps(env.tx);
  const deferring = memo?.deferSteps ?? false;
  await q.savepoint(env.tx, BATCH_SAVEPOINT);
  let out: T;
  try {
    if (memo) memo.deferSteps = true;
    out = await work({ ...env, isolate: false });
    await flushSteps(env.tx);
  } catch (error) {
    env.log?.warn({ err: error }, 'a batch of workflow firings failed: running each alone');
    if (memo) {
      memo.pending = emptyPending();
      memo.deferSteps = false;
    }
    await q.rollbackToSavepoint(env.tx, BATCH_SAVEPOINT);
    await q.releaseSavepoint(env.tx, BATCH_SAVEPOINT);
    try {
      return await work({ ...env, isolate: true });
    } finally {
      if (memo) memo.deferSteps = deferring;
    }
  }
  if (memo) memo.deferSteps = deferring;
  await q.releaseSavepoint(env.tx, BATCH_SAVEPOINT);
  return out;
}

export type FireOutcome = 'fired' | 'already' | 'failed';

/** The workflow_runs row of a firing and its workflow.fired event (the claim, fire()). */
function claimRowsOf(env: FireEnv, incident: IncidentSnapshot, firing: Firing, chain: number) {
  const { now } = env;
  const { rule, triggerKey, facts } = firing;
  const run = {
    incident_id: incident.id,
    plan_name: incident.plan_name,
    plan_version: incident.plan_version,
    workflow: rule.name,
    trigger_key: triggerKey,
    fired_at: now,
    actions: JSON.stringify(rule.then),
    source: rule.source,
  };
  const fired = { source: rule.source, trigger: triggerKey, actions: rule.then.map(actionKind), facts };
  const event = {
    incident_id: incident.id,
    at: now,
    kind: EVENT_KINDS.workflowFired,
    actor_name: 'workflow',
    data: { ...fired, workflow: rule.name, chain },
    processed_at: env.claimed && incident.resolved_at === null ? now : null,
  };
  return { run, fired, event };
}

/**
 * A firing claimed ahead of fire() (claimFirings): its run's id, or undefined when that firing had
 * already happened.
 */
export interface Claimed {
  runId: string | undefined;
}

/**
 * The claims of several firings (workflow_runs rows and their workflow.fired events) in one statement,
 * for a batch without a savepoint per firing (env.isolate false): fire() is then given each one's
 * result instead of claiming it itself. The caller passes only firings that fire() would claim first
 * for their incident in this transaction's batch, one per incident, so each incident's timeline is
 * written in the same order as when fire() claims each (the claim, then its actions' records).
 */
export async function claimFirings(
  env: FireEnv,
  firings: { incident: IncidentSnapshot; firing: Firing; chain: number }[],
): Promise<Claimed[]> {
  const rows = firings.map((f) => claimRowsOf(env, f.incident, f.firing, f.chain));
  const ids = await q.insertRunsWithEvents(env.tx, rows);
  return ids.map((runId) => ({ runId }));
}

/**
 * Runs one firing exactly once: the workflow_runs insert (unique on incident, rule, trigger key) is
 * the claim, and the actions run only when this call inserted it — so two engines, or a re-run after
 * a crash, never act twice. The actions run under a savepoint: one that fails rolls back alone and is
 * recorded on the run (not retried forever), and the rest of the tick goes on. `claimed`: the claim
 * claimFirings already made for this firing (in a batch, env.isolate false).
 */
export async function fire(
  env: FireEnv,
  plan: Plan,
  incident: IncidentSnapshot,
  firing: Firing,
  chain: number,
  claimed?: Claimed,
): Promise<FireOutcome> {
  const { tx, now } = env;
  const { rule, triggerKey, facts } = firing;
  const { run, fired, event } = claimRowsOf(env, incident, firing, chain);
  const isolate = env.isolate !== false;
  // In a batch without a savepoint per firing, the claim and its workflow.fired event are one
  // statement (a failure rolls the whole batch back); isolated, the event is written under the
  // firing's savepoint, so a failure replaces it with one that names the error.
  if (claimed && isolate) throw new Error('a firing claimed ahead must run in its batch');
  const runId = claimed
    ? claimed.runId
    : isolate
      ? await q.insertRun(tx, run)
      : await q.insertRunWithEvent(tx, run, event);
  if (!runId) return 'already';
  const ctx: ActionContext = {
    tx,
    now,
    plan,
    incident,
    rule,
    runId,
    facts,
    chain,
    vars: await loadVars(tx, incident, plan, {
      trigger: { ...facts, workflow: rule.name },
      now,
      url: `${linkBase()}/incidents/${incident.id}`,
    }),
    index: 0,
  };
  const savepoint = `workflow_run_${runId}`;
  const before = isolate ? structuredClone(incident) : incident;
  if (isolate) await q.savepoint(tx, savepoint);
  try {
    if (isolate) await emit(ctx, EVENT_KINDS.workflowFired, fired);
    const results: ActionResult[] = [];
    for (const [index, action] of rule.then.entries()) {
      // Steps a batch held back (paging/flush-steps.ts) are written before any other action, which
      // may read or cancel them (resolve, stop paging); pages follow one another held back.
      if (!PAGING_ACTIONS.has(actionKind(action))) await flushSteps(tx);
      results.push(await runAction({ ...ctx, index }, action));
    }
    const audited = audit.auditRowOf(SYSTEM_ACTOR, now, {
      action: 'workflow.fired',
      entityType: 'incident',
      entityId: incident.id,
      after: { workflow: rule.name, trigger: triggerKey, run_id: runId, results },
    });
    // In a batch, the outcomes of its firings are written together at its end (flush-steps.ts).
    const memo = txMemo(tx);
    if (!isolate && memo?.deferSteps) memo.pending.runs.push({ id: runId, actions: results, audit: audited });
    else await q.setRunActionsAudited(tx, runId, results, audited);
    if (isolate) await q.releaseSavepoint(tx, savepoint);
    return 'fired';
  } catch (error) {
    if (!isolate) throw error;
    await q.rollbackToSavepoint(tx, savepoint);
    Object.assign(incident, before);
    const message = error instanceof Error ? error.message : String(error);
    env.log?.error({ err: error, workflow: rule.name, incident: incident.id }, 'workflow actions failed');
    await q.setRunActions(tx, runId, [{ error: message }]);
    await emit(ctx, EVENT_KINDS.workflowFired, { ...fired, error: message });
    return 'failed';
  }
}
