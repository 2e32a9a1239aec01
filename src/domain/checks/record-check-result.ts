import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import type { AlertSeverity } from '../services/services.ts';
import { type CheckOutcome, type CheckRow, checkDedupKey, failingSummary } from './checks.ts';
import { isLatestRun, type ProbeClaim, type ProbeEnv } from './probes.ts';
import * as checks from './queries.ts';

/**
 * Stores a check's run and acts on it, in one transaction: a failure (re)triggers the check's alert
 * — every failing run, so the alert's count and last-seen show it is still failing — and the first
 * good answer after a failure resolves it. Results older than the last recorded one are dropped.
 * Run results are not audited: a check every minute would drown the audit log.
 */
export async function recordCheckResult(env: ProbeEnv, claim: ProbeClaim<CheckRow>, outcome: CheckOutcome) {
  await env.db.transaction().execute(async (tx) => {
    const current = await checks.lockCheckById(tx, claim.row.id);
    if (!current || !isLatestRun(current, claim.row.run_seq)) return;
    await checks.updateCheck(tx, current.id, {
      state: outcome.ok ? 'up' : 'down',
      recorded_seq: claim.row.run_seq,
      last_run_at: claim.ranAt,
      last_status: outcome.status,
      last_latency_ms: outcome.latencyMs,
      last_error: outcome.reason,
      updated_at: env.clock.now(),
    });
    if (outcome.ok && current.state !== 'down') return;
    const details = {
      url: current.url,
      method: current.method,
      expected_status: current.expected_status,
      status: outcome.status,
      latency_ms: outcome.latencyMs,
      reason: outcome.reason,
    };
    await ingestAlertEvents({
      ctx: makeCtx({ db: tx, clock: env.clock, log: env.log }, SYSTEM_ACTOR),
      input: {
        integration: { id: null, service_id: current.service_id, name: current.name, type: 'check' },
        events: [
          outcome.ok
            ? {
                action: 'resolve',
                dedupKey: checkDedupKey(current.name),
                raw: { check: current.name, ...details },
              }
            : {
                action: 'trigger',
                dedupKey: checkDedupKey(current.name),
                summary: failingSummary(current.name, current.service_name, outcome.reason ?? 'failed'),
                source: current.url,
                severity: current.severity as AlertSeverity,
                component: current.name,
                class: 'http-check',
                details,
                startedAt: claim.ranAt,
                raw: { check: current.name, ...details },
              },
        ],
      },
    });
  });
}
