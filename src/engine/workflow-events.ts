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
    // Rerun at once only after a full claim. Everything the workflows it fired write that needs the
    // engine (events they append, escalations, messages) wakes it with its commit: a tick that fired
    // workflows on a partial claim (a transition) is not rerun to find nothing.
    saysMore: true,
    tick: ({ tx, now, log, more }) => {
      // The incidents a tick pages read the same people, rules and policies once (db/tx-memo.ts).
      withTxMemo(tx);
      return processWorkflowEvents({ tx, now, log, plans, more });
    },
  };
}
