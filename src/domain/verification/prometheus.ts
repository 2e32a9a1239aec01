import { z } from 'zod';
import { loadEnv } from '../../config/env.ts';
import { describeFailure, type ProbeTimer, realTimer } from '../checks/probes.ts';
import { judgeValues, type VerificationCheck, type VerificationResult } from './verification.ts';

// The Prometheus HTTP API (GET /api/v1/query, an instant query at Prometheus' own now). Tocsin
// queries the server the operator configured (TOCSIN_PROMETHEUS_URL), not a destination a plan or
// user supplies, so the outbound guard does not apply; credentials in the URL go as basic auth.

const QUERY_TIMEOUT_MS = 10_000;

/** The configured Prometheus, or undefined: then verification checks are ticked by hand. */
export function prometheusUrl(): string | undefined {
  return loadEnv().TOCSIN_PROMETHEUS_URL;
}

const sample = z.tuple([z.number(), z.string()]);
const answerSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.object({ resultType: z.literal('vector'), result: z.array(z.object({ value: sample })) }),
      z.object({ resultType: z.literal('scalar'), result: sample }),
      z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
      z.object({ resultType: z.literal('string'), result: z.unknown() }),
    ]),
  }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() }),
]);

/** The numbers an answer carries (one per series), or why it carries none we can judge. */
export function valuesOf(body: unknown): number[] | { error: string } {
  const parsed = answerSchema.safeParse(body);
  if (!parsed.success) return { error: 'not a Prometheus query answer' };
  const answer = parsed.data;
  if (answer.status === 'error')
    return { error: `Prometheus: ${answer.error ?? answer.errorType ?? 'error'}` };
  const data = answer.data;
  if (data.resultType === 'vector') return data.result.map((s) => Number(s.value[1]));
  if (data.resultType === 'scalar') return [Number(data.result[1])];
  return { error: `the query returns a ${data.resultType}, not an instant vector or scalar` };
}

/** Runs one check's query; failures are results (ok null), never exceptions. */
export async function queryCheck(
  base: string,
  check: VerificationCheck,
  timer: ProbeTimer = realTimer,
): Promise<VerificationResult> {
  const url = new URL('api/v1/query', base.endsWith('/') ? base : `${base}/`);
  url.searchParams.set('query', check.query);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  try {
    const res = await fetch(url, { headers, signal: timer.deadline(QUERY_TIMEOUT_MS) });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return {
        title: check.title,
        query: check.query,
        value: null,
        ok: null,
        error: `Prometheus answered ${res.status}`,
      };
    }
    const values = valuesOf(body);
    if (!Array.isArray(values))
      return { title: check.title, query: check.query, value: null, ok: null, ...values };
    return judgeValues(check, values);
  } catch (error) {
    return {
      title: check.title,
      query: check.query,
      value: null,
      ok: null,
      error: `Prometheus: ${describeFailure(error, QUERY_TIMEOUT_MS)}`,
    };
  }
}
