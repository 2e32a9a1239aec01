import { inTx } from '../../db/tx.ts';
import { Conflict, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { type Exercise, exerciseIdSchema, exerciseState } from './exercises.ts';
import * as q from './queries.ts';

/**
 * Cancels a scheduled exercise before it starts (managers, like scheduling it). One that started,
 * failed or was cancelled already is a conflict: its incident, if any, is closed like any other.
 */
export async function cancelExercise({ ctx, input }: Operation<{ id: string }>): Promise<Exercise> {
  ctx.require('plan:write');
  const { id } = exerciseIdSchema.parse(input);
  const now = ctx.clock.now();
  return inTx(ctx.db, async (tx) => {
    const exercise = await q.lockExercise(tx, id);
    if (!exercise) throw new NotFound('exercise', id);
    const state = exerciseState(exercise);
    if (state !== 'scheduled')
      throw new Conflict(`exercise ${id} is ${state}: only a scheduled one can be cancelled`);
    const cancelled = await q.markCancelled(tx, id, now, ctx.actor.name);
    await audit.record(tx, ctx.actor, now, {
      action: 'exercise.cancelled',
      entityType: 'exercise',
      entityId: id,
      before: { ...exercise },
      after: { ...cancelled },
    });
    return cancelled;
  });
}
