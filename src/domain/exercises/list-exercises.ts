import type { Operation } from '../context.ts';
import type { Exercise } from './exercises.ts';
import * as q from './queries.ts';

/** Exercises, latest first: scheduled ones (not started) and those that ran, with their incident. */
export async function listExercises({
  ctx,
  input,
}: Operation<{ plan?: string | undefined }>): Promise<Exercise[]> {
  ctx.require('read');
  return q.listExercises(ctx.db, input.plan);
}
