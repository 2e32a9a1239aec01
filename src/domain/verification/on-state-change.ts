import type { Executor } from '../../db/schema.ts';
import { Conflict } from '../../errors.ts';
import { formatDuration } from '../../lib/duration.ts';
import type { Ctx } from '../context.ts';
import { EVENT_KINDS, type EventKind } from '../incidents/events.ts';
import * as incidents from '../incidents/queries.ts';
import type { Plan } from '../plans/plan.ts';
import { attachRunbooks } from '../runbooks/attach-runbooks.ts';
import { prometheusUrl } from './prometheus.ts';
import * as q from './queries.ts';
import {
  automaticChecks,
  describeResult,
  intervalMs,
  manualCheckTitles,
  VERIFICATION_CHECKLIST,
  windowMs,
} from './verification.ts';

// The steps every state change takes for verification (incidents/change.ts moveToState calls them,
// in the incident's transaction): refuse to resolve while the checks are still being watched, start
// watching on entering verification.state, stop on leaving it.

/** Whether this context's verification checks query Prometheus: one is configured and it is not a drill. */
export function queriesPrometheus(ctx: Pick<Ctx, 'live'>): boolean {
  return ctx.live !== false && prometheusUrl() !== undefined;
}

export interface StateMove {
  incidentId: string;
  from: string;
  to: string;
  plan: Plan;
  now: Date;
  /** Whether the checks query Prometheus (configured, and not a drill). */
  prometheus: boolean;
  event(kind: EventKind, data: Record<string, unknown>): Promise<void>;
}

/**
 * 409 when the incident would resolve while its metric checks are still being watched (they have not
 * held for the whole window yet). Without Prometheus configured nothing is watched: never refused.
 */
export async function requireVerified(db: Executor, incidentId: string, prometheus: boolean): Promise<void> {
  if (!prometheus) return;
  const watching = await q.findWatching(db, incidentId);
  if (!watching) return;
  const until = new Date(watching.started_at.getTime() + Number(watching.window_ms));
  const last = watching.last_results?.map((r) => describeResult(r)).join('; ');
  throw new Conflict(
    `incident ${incidentId} is being verified: its checks must hold for ${formatDuration(Number(watching.window_ms))} ` +
      `in ${watching.state} (until ${until.toISOString()} at the earliest) before it resolves` +
      (last ? `; last run: ${last}` : '; no run yet'),
  );
}

export async function verificationOnStateChange(tx: Executor, move: StateMove): Promise<void> {
  const state = move.plan.verification?.state;
  if (!state) return;
  if (move.from === state) await q.cancelWatching(tx, move.incidentId, move.now, `moved to ${move.to}`);
  if (move.to === state) await startVerification(tx, move);
}

async function startVerification(tx: Executor, move: StateMove): Promise<void> {
  const runbook = move.plan.verification?.runbook;
  if (runbook)
    await attachRunbooks(tx, {
      incidentId: move.incidentId,
      plan: move.plan,
      ids: [runbook],
      event: move.event,
    });
  const prometheus = move.prometheus;
  const checks = prometheus ? automaticChecks(move.plan) : [];
  if (checks.length > 0) {
    const row = await q.insertVerification(tx, {
      incidentId: move.incidentId,
      state: move.to,
      returnState: move.plan.verification?.onBreach ?? move.from,
      checks,
      startedAt: move.now,
      windowMs: windowMs(move.plan),
      intervalMs: intervalMs(move.plan),
    });
    await move.event(EVENT_KINDS.verificationStarted, {
      verification_id: row.id,
      checks: checks.map((c) => c.title),
      monitor_for: formatDuration(Number(row.window_ms)),
      every: formatDuration(Number(row.interval_ms)),
    });
  }
  const manual = manualCheckTitles(move.plan, prometheus);
  if (manual.length > 0 && !(await incidents.hasChecklist(tx, move.incidentId, VERIFICATION_CHECKLIST))) {
    await incidents.insertChecklistItems(
      tx,
      manual.map((text, position) => ({
        incident_id: move.incidentId,
        checklist: VERIFICATION_CHECKLIST,
        position,
        text,
        source: 'plan',
      })),
    );
  }
}
