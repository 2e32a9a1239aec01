import type { OutboundPolicy } from '../../lib/outbound-guard.ts';
import { type CheckOutcome, type CheckRow, followsRedirects, judgeAnswer } from './checks.ts';
import { describeFailure, type ProbeTimer, probeHttp } from './probes.ts';

/** How much of a body is searched for body_contains (a health page, not a download). */
const BODY_LIMIT = 1_048_576;

/** Requests the check's URL once and judges the answer. Never throws: a failure is an outcome. */
export async function runHttpCheck(
  check: CheckRow,
  policy: OutboundPolicy,
  timer?: ProbeTimer,
): Promise<CheckOutcome> {
  try {
    const answer = await probeHttp({
      url: check.url,
      method: check.method,
      timeoutMs: check.timeout_ms,
      policy,
      timer,
      followRedirects: followsRedirects(check.expected_status),
      bodyLimit: check.body_contains === null || check.method === 'HEAD' ? 0 : BODY_LIMIT,
    });
    const reason = judgeAnswer(check, answer);
    return { ok: reason === null, status: answer.status, latencyMs: answer.latencyMs, reason };
  } catch (error) {
    return { ok: false, status: null, latencyMs: null, reason: describeFailure(error, check.timeout_ms) };
  }
}
