import { withTxMemo } from '../db/tx-memo.ts';
import { PlanCache } from '../domain/workflows/plan-cache.ts';
import { processWorkflowEvents } from '../domain/workflows/process-workflow-events.ts';
import type { EngineModule } from './engine.ts';

/** Reacts to timeline events (incident declared, severity changed, target breached, …) with workflows. */
export function workflowEventsModule(plans = new PlanCache()): EngineModule {
  return {
    id: 2,
    name: 'workflow-events',
    wakesOn: ['events'],
    tick: ({ tx, now, log }) => {
      // The incidents a tick pages read the same people, rules and policies once (db/tx-memo.ts).
      withTxMemo(tx);
      return processWorkflowEvents({ tx, now, log, plans });
    },
  };
}
