import { describeFailure } from '../../domain/checks/probes.ts';
import { guardedFetch, type OutboundPolicy, OutboundRefused } from '../../lib/outbound-guard.ts';
import { VERSION } from '../../version.ts';
import { DeliveryError } from './provider.ts';
import { isRetryableStatus } from './webhook.ts';

// One JSON POST behind the outbound guard, shared by the chat providers (Slack API, Slack/Mattermost/
// Discord/Teams webhooks): the guard checks the target, redirects are not followed (a message must not
// wander to another host), and a network failure becomes a DeliveryError the outbox understands.

export interface PostOptions {
  policy: OutboundPolicy;
  timeoutMs: number;
  headers?: Record<string, string>;
  /** How much of the answer to read (default 64 KiB: Slack echoes the whole message back). */
  maxAnswerChars?: number;
  /** Send the body form-encoded (a flat object of strings) instead of JSON: Slack's read methods take only that. */
  form?: boolean;
}

export interface JsonAnswer {
  status: number;
  headers: Headers;
  /** The answer's body, cut to PostOptions.maxAnswerChars. */
  text: string;
}

export async function postJson(url: string, body: unknown, options: PostOptions): Promise<JsonAnswer> {
  let response: Response;
  try {
    ({ response } = await guardedFetch(url, {
      policy: options.policy,
      method: 'POST',
      body: options.form
        ? new URLSearchParams(body as Record<string, string>).toString()
        : JSON.stringify(body),
      headers: {
        'content-type': options.form
          ? 'application/x-www-form-urlencoded'
          : 'application/json; charset=utf-8',
        'user-agent': `tocsin/${VERSION}`,
        ...options.headers,
      },
      maxRedirects: 0,
      signal: AbortSignal.timeout(options.timeoutMs),
    }));
    const text = await readAtMost(response, options.maxAnswerChars ?? 65_536);
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    // A refused target stays refused; a timeout or a broken connection may pass next time.
    throw new DeliveryError(describeFailure(error, options.timeoutMs), !(error instanceof OutboundRefused));
  }
}

/**
 * The first `max` characters of a body, without reading the rest: a hostile webhook target could
 * otherwise answer with an endless body (the timeout bounds the time, not the memory).
 */
async function readAtMost(response: Response, max: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (text.length < max) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text.slice(0, max);
}

/** Parses an answer's body as JSON; undefined when it is not JSON. */
export function answerJson(answer: JsonAnswer): unknown {
  try {
    return JSON.parse(answer.text);
  } catch {
    return undefined;
  }
}

/** " (retry after 30s)" from a Retry-After header in seconds, or the given seconds; else "". */
export function retryAfterNote(answer: JsonAnswer, seconds?: number): string {
  const header = Number(answer.headers.get('retry-after'));
  const wait = seconds ?? (Number.isFinite(header) && header > 0 ? header : undefined);
  return wait === undefined ? '' : ` (retry after ${Math.round(wait * 1000) / 1000}s)`;
}

/** The DeliveryError of a non-2xx answer: retryable for 5xx, 408 and 429, with the receiver's words. */
export function httpFailure(answer: JsonAnswer, detail = answer.text.trim().slice(0, 200)): DeliveryError {
  const note = answer.status === 429 ? retryAfterNote(answer) : '';
  return new DeliveryError(
    `HTTP ${answer.status}${detail ? `: ${detail}` : ''}${note}`,
    isRetryableStatus(answer.status),
  );
}
