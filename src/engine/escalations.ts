import { loadEnv, publicUrlOf } from '../config/env.ts';
import { withTxMemo } from '../db/tx-memo.ts';
import { routeLogicalMessages } from '../domain/paging/route-messages.ts';
import { runDueEscalations } from '../domain/paging/run-due-escalations.ts';
import { PlanCache } from '../domain/workflows/plan-cache.ts';
import type { EngineModule } from './engine.ts';

/**
 * Paging: fans messages addressed to people (user:, group:, role:) out to their contact methods, and
 * runs every escalation step that is due. Runs before the outbox module (id 40) so a page queued in
 * this tick is delivered in the same engine cycle.
 */
export function escalationsModule(options: { publicUrl?: string; plans?: PlanCache } = {}): EngineModule {
  const plans = options.plans ?? new PlanCache();
  const publicUrl = options.publicUrl ?? publicUrlOf(loadEnv());
  return {
    id: 3,
    name: 'escalations',
    // New escalations whose first step is due (not run by the transaction that started them) and
    // messages to people (user:, group:, role: outbox rows) to fan out: migration 0760's wake-ups;
    // later steps are due on the clock (the poll). Messages to contacts ('outbox') are not its work.
    wakesOn: ['escalations', 'messages'],
    async tick({ tx, now }) {
      withTxMemo(tx);
      const routed = await routeLogicalMessages(tx, now, plans);
      const stepped = await runDueEscalations({ tx, now, plans, publicUrl });
      return routed + stepped;
    },
  };
}
