import { advanceMaintenances } from '../domain/status-page/advance-maintenances.ts';
import type { EngineModule } from './engine.ts';

/** Starts and completes scheduled status-page maintenance on the clock, with notices to subscribers. */
export function statusPageMaintenanceModule(): EngineModule {
  return {
    id: 134,
    name: 'status-page-maintenance',
    tick: ({ tx, now }) => advanceMaintenances({ tx, now }),
  };
}
