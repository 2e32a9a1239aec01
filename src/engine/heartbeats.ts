import { checkHeartbeats } from '../domain/heartbeats/check-heartbeats.ts';
import type { EngineModule } from './engine.ts';

/** Raises an alert for each heartbeat that went silent (a ping resolves it, see record-heartbeat-ping.ts). */
export function heartbeatsModule(): EngineModule {
  return {
    id: 10,
    name: 'heartbeats',
    tick: ({ tx, clock, now, log }) => checkHeartbeats({ tx, clock, now, log }),
  };
}
