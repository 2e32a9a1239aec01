import { PlanCache } from '../domain/workflows/plan-cache.ts';
import type { EngineModule } from './engine.ts';
import { workflowEventsModule } from './workflow-events.ts';
import { workflowTimersModule } from './workflow-timers.ts';

// Every engine module, in the order a tick runs them. Each issue adds its own here.
export function engineModules(): EngineModule[] {
  const plans = new PlanCache();
  return [
    // Timers first: a breach or overdue reminder they record is reacted to by the events module in the
    // same pass.
    workflowTimersModule(plans),
    workflowEventsModule(plans),
  ];
}
