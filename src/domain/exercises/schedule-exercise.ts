import { inTx } from '../../db/tx.ts';
import { Invalid, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import { severityOf } from '../plans/plan.ts';
import { type Exercise, type ScheduleExerciseInput, scheduleExerciseSchema } from './exercises.ts';
import * as q from './queries.ts';
import { startExercise } from './start-exercise.ts';

/**
 * Schedules a tabletop exercise or game day against a live plan (managers: it pages real people).
 * One due now starts in the same transaction; a later one is started by the engine's `exercises`
 * module when the clock reaches it.
 */
export async function scheduleExercise({ ctx, input }: Operation<ScheduleExerciseInput>): Promise<Exercise> {
  ctx.require('plan:write');
  const data = scheduleExerciseSchema.parse(input);
  const now = ctx.clock.now();
  return inTx(ctx.db, async (tx) => {
    const { plan } = await loadPlanVersion(tx, data.plan).catch((e: unknown) => {
      if (e instanceof NotFound)
        throw new Invalid('unknown plan', [{ path: 'plan', message: `no plan "${data.plan}"` }]);
      throw e;
    });
    if (!severityOf(plan, data.severity)) {
      throw new Invalid('unknown severity', [
        {
          path: 'severity',
          message: `not a severity of plan ${data.plan} (${plan.severities.map((s) => s.id).join(', ')})`,
        },
      ]);
    }
    const exercise = await q.insertExercise(tx, {
      plan_name: data.plan,
      kind: data.kind,
      title: data.title,
      severity: data.severity,
      service: data.service ?? null,
      scenario: data.scenario,
      scheduled_at: data.scheduled_at ? new Date(data.scheduled_at) : now,
      created_at: now,
      created_by: ctx.actor.name,
    });
    await audit.record(tx, ctx.actor, now, {
      action: 'exercise.scheduled',
      entityType: 'exercise',
      entityId: exercise.id,
      after: { ...exercise },
    });
    return exercise.scheduled_at.getTime() <= now.getTime() ? startExercise(ctx, tx, exercise) : exercise;
  });
}
