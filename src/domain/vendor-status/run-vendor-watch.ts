import { parseStorableJson } from '../../db/storable.ts';
import type { OutboundPolicy } from '../../lib/outbound-guard.ts';
import { describeFailure, type ProbeTimer, probeHttp } from '../checks/probes.ts';
import {
  readPage,
  statuspageSummarySchema,
  summaryUrl,
  type VendorOutcome,
  type VendorWatchRow,
} from './vendor-status.ts';

/** Large pages list hundreds of components; anything bigger is not a status page summary. */
const BODY_LIMIT = 5 * 1_048_576;

/** Reads the watch's status page once. Never throws: an unreadable page is an outcome. */
export async function runVendorWatch(
  watch: VendorWatchRow,
  policy: OutboundPolicy,
  timer?: ProbeTimer,
): Promise<VendorOutcome> {
  let answer: Awaited<ReturnType<typeof probeHttp>>;
  try {
    answer = await probeHttp({
      url: summaryUrl(watch.url),
      method: 'GET',
      timeoutMs: watch.timeout_ms,
      policy,
      timer,
      followRedirects: true,
      bodyLimit: BODY_LIMIT,
      accept: 'application/json',
    });
  } catch (error) {
    return { ok: false, reason: describeFailure(error, watch.timeout_ms) };
  }
  if (answer.status !== 200) return { ok: false, reason: `the status page answered HTTP ${answer.status}` };
  let json: unknown;
  try {
    // The page's words reach page_name, component_status (jsonb) and the alerts it raises.
    json = parseStorableJson(answer.body ?? '');
  } catch {
    return { ok: false, reason: 'the status page did not answer JSON' };
  }
  const page = statuspageSummarySchema.safeParse(json);
  if (!page.success) {
    const at = page.error.issues[0]?.path.map(String).join('.') || '(root)';
    return { ok: false, reason: `not a Statuspage v2 summary (${at}: ${page.error.issues[0]?.message})` };
  }
  return { ok: true, ...readPage(page.data, watch.components) };
}
