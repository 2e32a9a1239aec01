import { formatDuration } from '../../lib/duration.ts';
import { isLatestRun, type ProbeClaim, type ProbeEnv } from '../checks/probes.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { changeIncident, moveToState } from '../incidents/change.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import * as q from './queries.ts';
import { describeResult, type VerificationResult, verdictOf } from './verification.ts';

/**
 * Records one run of an incident's verification (step 3 of checks/probes.ts) in the incident's
 * transaction: a breach ends it as failed and returns the incident to its return state (the plan's
 * rule `verification.failed` then tells the commander); every check holding once the window has
 * passed ends it as passed, and the incident may resolve. A run that could not judge changes nothing.
 */
export async function recordVerification(
  env: ProbeEnv,
  claim: ProbeClaim<q.VerificationRow>,
  results: VerificationResult[],
): Promise<void> {
  const ctx = makeCtx({ db: env.db, clock: env.clock, log: env.log }, SYSTEM_ACTOR);
  await changeIncident(ctx, claim.row.incident_id, {}, async (c) => {
    const current = await q.lockVerification(c.tx, claim.row.id);
    if (current?.status !== 'watching' || !isLatestRun(current, claim.row.run_seq)) return;
    await q.recordRun(c.tx, current.id, { runSeq: claim.row.run_seq, ranAt: claim.ranAt, results });
    const windowMs = Number(current.window_ms);
    const verdict = verdictOf(results, { ranAt: claim.ranAt, startedAt: current.started_at, windowMs });
    const shown = results.map((r, i) => describeResult(r, current.checks[i]));
    if (verdict.kind === 'passed') {
      const reason = `every check held for ${formatDuration(windowMs)}`;
      await q.endVerification(c.tx, current.id, { status: 'passed', at: c.now, reason });
      await c.event(EVENT_KINDS.verificationPassed, { verification_id: current.id, reason, results: shown });
      await c.audit('incident.verification_passed', { status: 'watching' }, { status: 'passed', results });
      return;
    }
    if (verdict.kind !== 'breached') return;
    const reason = verdict.breached
      .map((r) => describeResult(r, current.checks[results.indexOf(r)]))
      .join('; ');
    await q.endVerification(c.tx, current.id, { status: 'failed', at: c.now, reason });
    // Still in the state it verifies (a person may have moved it since the claim): back it goes.
    const back =
      c.incident.state === current.state && c.lifecycle.canTransition(current.state, current.return_state);
    await c.event(EVENT_KINDS.verificationFailed, {
      verification_id: current.id,
      reason,
      results: shown,
      ...(back ? { returned_to: current.return_state } : {}),
    });
    await c.audit('incident.verification_failed', { status: 'watching' }, { status: 'failed', results });
    if (back) await moveToState(c, current.return_state, { reason: `verification failed: ${reason}` });
  });
}
