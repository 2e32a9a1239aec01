import type { Executor } from '../../db/schema.ts';
import * as audit from '../audit/queries.ts';
import { type Ctx, makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
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

/** The engine's part: starts every exercise whose time has come; returns how many. */
export async function startDueExercises({ tx, now }: { tx: Executor; now: Date }): Promise<number> {
  const ctx = makeCtx({ db: tx as Ctx['db'], clock: { now: () => now } }, SYSTEM_ACTOR);
  const due = await q.lockDue(tx, now);
  for (const exercise of due) await startExercise(ctx, tx, exercise);
  return due.length;
}
