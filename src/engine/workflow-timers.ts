import { fireWorkflowTimers } from '../domain/workflows/fire-workflow-timers.ts';
import { PlanCache } from '../domain/workflows/plan-cache.ts';
import type { EngineModule } from './engine.ts';

/** Fires elapsed-time workflows, target breaches and update-cadence reminders on the engine's clock. */
export function workflowTimersModule(plans = new PlanCache()): EngineModule {
  return {
    id: 1,
    name: 'workflow-timers',
    tick: ({ tx, now, log }) => fireWorkflowTimers({ tx, now, log, plans }),
  };
}
