import { queueHandoffs } from '../domain/schedules/queue-handoffs.ts';
import type { EngineModule } from './engine.ts';

/** Tells each person coming on call that their shift started (a `handoff` message, their own channels). */
export function scheduleHandoffsModule(): EngineModule {
  return {
    id: 33,
    name: 'schedule-handoffs',
    tick: ({ tx, now }) => queueHandoffs({ tx, now }),
  };
}
