import { withTxMemo } from '../db/tx-memo.ts';
import { noteAlertsResolved } from '../domain/alert-rules/note-alerts-resolved.ts';
import { routeAlerts } from '../domain/alert-rules/route-alerts.ts';
import { PlanCache } from '../domain/workflows/plan-cache.ts';
import { processDeclaredIncidentEvents } from '../domain/workflows/process-workflow-events.ts';
import type { EngineModule } from './engine.ts';

/**
 * From alerts to incidents: decides what each new alert does under its service's rules, and notes
 * incidents whose alerts have all resolved. The incidents it declares have their workflows run in
 * the same transaction (their first pages are queued by the commit that declares them), instead of
 * waiting for the workflow-events module's next pass.
 */
export function alertRulesModule(plans = new PlanCache()): EngineModule {
  return {
    id: 20,
    name: 'alert-rules',
    wakesOn: ['alerts'],
    // Rerun at once only after a full claim: a partial one took every undecided alert there was, and
    // alerts committed since come with their own wake-up. The incidents a tick declares beyond those
    // whose workflows it runs (DECLARED_BATCH) have unprocessed events, whose insert woke
    // workflow-events.
    saysMore: true,
    tick: async ({ tx, now, log, more }) => {
      withTxMemo(tx);
      const declared: string[] = [];
      const routed = await routeAlerts({ tx, now, log, declared, more });
      await processDeclaredIncidentEvents({ tx, now, log, plans }, declared);
      return routed + (await noteAlertsResolved({ tx, now, log, more }));
    },
  };
}
