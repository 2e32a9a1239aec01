import type { Executor } from '../../db/schema.ts';
import { NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import { type Ctx, makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import { severityOf } from '../plans/plan.ts';
import type { Exercise } from './exercises.ts';
import * as q from './queries.ts';

/**
 * Starts an exercise inside the caller's transaction: declares its incident (marked exercise, under
 * the plan's current version, paging as the plan says for its severity) and records it started.
 */
export async function startExercise(ctx: Ctx, tx: Executor, exercise: Exercise): Promise<Exercise> {
  const now = ctx.clock.now();
  const incident = await declareIncident({
    ctx: { ...ctx, db: tx as Ctx['db'] },
    input: {
      title: exercise.title,
      plan: exercise.plan_name,
      severity: exercise.severity,
      ...(exercise.service ? { service: exercise.service } : {}),
      summary: exercise.scenario,
      exercise: true,
    },
  });
  const started = await q.markStarted(tx, exercise.id, now, incident.id);
  await audit.record(tx, ctx.actor, now, {
    action: 'exercise.started',
    entityType: 'exercise',
    entityId: exercise.id,
    after: { incident_id: incident.id },
  });
  return started;
}

/**
 * The engine's part: starts every exercise whose time has come; returns how many it handled. One
 * that can no longer start (its plan or severity is gone) is marked failed with the reason, checked
 * before declaring, so the tick's transaction never fails on it and it is not retried forever.
 */
export async function startDueExercises({ tx, now }: { tx: Executor; now: Date }): Promise<number> {
  const ctx = makeCtx({ db: tx as Ctx['db'], clock: { now: () => now } }, SYSTEM_ACTOR);
  const due = await q.lockDue(tx, now);
  for (const exercise of due) {
    const failure = await whyItCannotStart(tx, exercise);
    if (failure) await failExercise(ctx, tx, exercise, failure);
    else await startExercise(ctx, tx, exercise);
  }
  return due.length;
}

/** Why the exercise cannot start now, or null: the plan's current version must have its severity. */
async function whyItCannotStart(tx: Executor, exercise: Exercise): Promise<string | null> {
  const plan = await loadPlanVersion(tx, exercise.plan_name).catch((e: unknown) => {
    if (e instanceof NotFound) return null;
    throw e;
  });
  if (!plan) return `plan ${exercise.plan_name} no longer exists`;
  if (!severityOf(plan.plan, exercise.severity))
    return `severity ${exercise.severity} is no longer in plan ${exercise.plan_name} (version ${plan.version})`;
  return null;
}

async function failExercise(ctx: Ctx, tx: Executor, exercise: Exercise, failure: string): Promise<void> {
  const now = ctx.clock.now();
  const failed = await q.markFailed(tx, exercise.id, now, failure);
  await audit.record(tx, ctx.actor, now, {
    action: 'exercise.failed',
    entityType: 'exercise',
    entityId: exercise.id,
    after: { ...failed },
  });
}
