import { z } from 'zod';
import type { Row } from '../../db/schema.ts';
import { formatDuration, isDuration, parseDuration } from '../../lib/duration.ts';
import { ALERT_SEVERITIES, nameSchema } from '../services/services.ts';

// HTTP checks: the engine requests a URL every interval (see probes.ts for how), e.g. a service's
// /health/detailed, and raises an alert of the check's service while the answer is wrong — another
// status than expected, a body without the expected text, too slow, or none at all — resolved by the
// first good answer after that.

export const CHECK_METHODS = ['GET', 'HEAD', 'POST'] as const;

const NOT_A_DURATION = 'not a duration (use 90s, 15m, 4h, 2d, 1w)';

/** A duration from `min` to `max` (plan spelling: 90s, 15m …). */
export function boundedDuration(min: string, max: string) {
  const ms = (d: string) => (isDuration(d) ? parseDuration(d) : Number.NaN);
  return (
    z
      .string()
      .refine(isDuration, NOT_A_DURATION)
      // Guarded so a malformed value reports one error (above), not three.
      .refine((d) => !isDuration(d) || ms(d) >= ms(min), `must be at least ${min}`)
      .refine((d) => !isDuration(d) || ms(d) <= ms(max), `must be at most ${max}`)
  );
}

export const httpUrlSchema = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
  .max(2048, 'at most 2048 characters');

export const checkInputSchema = z
  .strictObject({
    service: nameSchema.describe('the service whose alert it raises'),
    name: nameSchema.describe('unique; its alert’s dedup key is check:<name>'),
    url: httpUrlSchema,
    method: z.enum(CHECK_METHODS).default('GET'),
    interval: boundedDuration('10s', '1d').default('1m').describe('how often to request it'),
    timeout: boundedDuration('1s', '2m').default('10s').describe('no answer within it is a failure'),
    expected_status: z.int().min(100).max(599).default(200),
    body_contains: z.string().min(1).max(1000).optional().describe('text the body must contain'),
    max_latency_ms: z.int().min(1).max(120_000).optional().describe('slower answers are failures'),
    severity: z.enum(ALERT_SEVERITIES).default('error').describe('of the alert it raises'),
  })
  .refine((c) => parseDuration(c.timeout) < parseDuration(c.interval), {
    path: ['timeout'],
    message: 'must be shorter than the interval',
  });
export type CheckInput = z.input<typeof checkInputSchema>;

export const listChecksQuerySchema = z.strictObject({ service: nameSchema.optional() });

export type CheckRow = Row<'checks'>;

/** The alert of a failing check: one per check, so its first good answer resolves it by key. */
export function checkDedupKey(name: string): string {
  return `check:${name}`;
}

/** The 3xx a check expects would be lost by following redirects: then they are not followed. */
export function followsRedirects(expectedStatus: number): boolean {
  return expectedStatus < 300 || expectedStatus >= 400;
}

export interface CheckOutcome {
  ok: boolean;
  status: number | null;
  latencyMs: number | null;
  /** Why it failed; null when ok. */
  reason: string | null;
}

/** Why an answer fails the check, or null if it passes. */
export function judgeAnswer(
  check: Pick<CheckRow, 'expected_status' | 'body_contains' | 'max_latency_ms'>,
  answer: { status: number; latencyMs: number; body: string | null },
): string | null {
  if (answer.status !== check.expected_status) {
    return `expected status ${check.expected_status}, got ${answer.status}`;
  }
  if (check.body_contains !== null && !(answer.body ?? '').includes(check.body_contains)) {
    return `the body does not contain ${JSON.stringify(check.body_contains)}`;
  }
  if (check.max_latency_ms !== null && answer.latencyMs > check.max_latency_ms) {
    return `answered in ${answer.latencyMs} ms, over the ${check.max_latency_ms} ms limit`;
  }
  return null;
}

export function failingSummary(name: string, service: string, reason: string): string {
  return `Check ${name} of ${service} is failing: ${reason}`;
}

export function publicCheck(c: CheckRow & { service_name: string }) {
  return {
    id: c.id,
    service: c.service_name,
    name: c.name,
    url: c.url,
    method: c.method,
    interval: formatDuration(c.interval_ms),
    timeout: formatDuration(c.timeout_ms),
    expected_status: c.expected_status,
    body_contains: c.body_contains,
    max_latency_ms: c.max_latency_ms,
    severity: c.severity,
    state: c.state,
    last_run_at: c.last_run_at,
    last_status: c.last_status,
    last_latency_ms: c.last_latency_ms,
    last_error: c.last_error,
    next_run_at: c.next_run_at,
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}
