import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import type { ProbeClaim, ProbeEnv } from '../checks/probes.ts';
import { isLatestRun } from '../checks/probes.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import * as watches from './queries.ts';
import { type VendorOutcome, type VendorWatchRow, vendorEvents } from './vendor-status.ts';

/**
 * Stores what a watch read and raises or resolves its components' alerts, in one transaction.
 * A page that cannot be read changes no alert: it says nothing about the vendor's components (the
 * watch shows the error instead). Results older than the last recorded one are dropped. Not audited:
 * a reading every few minutes would drown the audit log.
 */
export async function recordVendorResult(
  env: ProbeEnv,
  claim: ProbeClaim<VendorWatchRow>,
  outcome: VendorOutcome,
) {
  await env.db.transaction().execute(async (tx) => {
    const current = await watches.lockWatchById(tx, claim.row.id);
    if (!current || !isLatestRun(current, claim.row.run_seq)) return;
    const recorded = {
      recorded_seq: claim.row.run_seq,
      last_run_at: claim.ranAt,
      updated_at: env.clock.now(),
    };
    if (!outcome.ok) {
      await watches.updateWatch(tx, current.id, { ...recorded, state: 'error', last_error: outcome.reason });
      return;
    }
    await watches.updateWatch(tx, current.id, {
      ...recorded,
      state: 'ok',
      page_name: outcome.pageName,
      component_status: JSON.stringify(outcome.statuses),
      last_error: outcome.missing.length > 0 ? `not on the page: ${outcome.missing.join(', ')}` : null,
    });
    const events = vendorEvents(current, outcome, claim.ranAt);
    if (events.length === 0) return;
    await ingestAlertEvents({
      ctx: makeCtx({ db: tx, clock: env.clock, log: env.log }, SYSTEM_ACTOR),
      input: {
        integration: { id: null, service_id: current.service_id, name: current.name, type: 'vendor' },
        events,
      },
    });
  });
}
