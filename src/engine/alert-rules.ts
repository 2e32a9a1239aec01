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
  // The last check of resolved incidents took a full batch: the next tick checks again, woken or not.
  let resolvedLeft = false;
  return {
    id: 20,
    name: 'alert-rules',
    wakesOn: ['alerts'],
    // Rerun at once only after a full claim: a partial one took every undecided alert there was, and
    // alerts committed since come with their own wake-up. The incidents a tick declares beyond those
    // whose workflows it runs (DECLARED_BATCH) have unprocessed events, whose insert woke
    // workflow-events.
    saysMore: true,
    // A flood (a tick of 16 alerts or more: hundreds a second) is answered every 50 ms, not after
    // every ingest commit: at ~2,500 alerts/s, ~100 alerts a tick instead of ~25–65 (bench/ingest:
    // its wake-ups come ~11 alerts a commit). A steady 20 or 100 a second never waits.
    coalesce: { atLeast: 16, ms: 50 },
    tick: async ({ tx, now, log, more, woken }) => {
      withTxMemo(tx);
      const declared: string[] = [];
      // Incidents whose alerts are all resolved are looked for in a whole pass (the poll, at least
      // every interval: an alert's resolve is an update, which wakes nobody), and in a pass for new
      // alerts only when one of them came in resolved: the check is a statement, and a planning of
      // it, for each woken pass of a steady flow of new alerts that it cannot find anything for.
      let check = !woken || resolvedLeft;
      const sawResolved = () => {
        check = true;
      };
      const routed = await routeAlerts({ tx, now, log, declared, more, sawResolved });
      await processDeclaredIncidentEvents({ tx, now, log, plans }, declared);
      if (!check) return routed;
      let full = false;
      const noted = await noteAlertsResolved({
        tx,
        now,
        log,
        more: () => {
          full = true;
          more();
        },
      });
      resolvedLeft = full;
      return routed + noted;
    },
  };
}
