import { startDueExercises } from '../domain/exercises/start-exercise.ts';
import type { EngineModule } from './engine.ts';

/** Starts each scheduled exercise when the clock reaches it (declares its exercise incident). */
export function exercisesModule(): EngineModule {
  return {
    // 152: issue 15's range of module ids (150–159).
    id: 152,
    name: 'exercises',
    tick: ({ tx, now }) => startDueExercises({ tx, now }),
  };
}
