import type { Env } from '../../config/env.ts';
import { describeFailure } from '../../domain/checks/probes.ts';
import { httpUrl } from '../../lib/http-url.ts';
import { VERSION } from '../../version.ts';
import { asNotificationPayload, type NotificationPayload, subjectOf } from '../message.ts';
import { DeliveryError, type OutboundMessage, type Provider, type SendResult } from './provider.ts';
import { isRetryableStatus } from './webhook.ts';

// Push channel through ntfy (https://docs.ntfy.sh/publish/): POST the text to <server>/<topic>, with
// the title, priority, tags, click URL and an Acknowledge action button in headers. The server is
// admin configuration (TOCSIN_NTFY_URL, e.g. the public ntfy.sh), so it is not behind the SSRF
// guard; tests point it at the loopback fake in test/fakes/ntfy.ts.

export interface NtfyOptions {
  /** TOCSIN_NTFY_URL: the ntfy server, e.g. https://ntfy.sh. */
  baseUrl: string;
  /** TOCSIN_NTFY_TOKEN: access token for protected topics, sent as a Bearer token. */
  token?: string | undefined;
  /** Deadline for the whole exchange (default 10s). */
  timeoutMs?: number | undefined;
}

/** ntfy's topic names: letters, digits, `-` and `_`, up to 64 characters. */
export const NTFY_TOPIC = /^[-_A-Za-z0-9]{1,64}$/;

/**
 * A header value ntfy decodes back to UTF-8: HTTP headers carry Latin-1 at best, so anything beyond
 * ASCII goes as an RFC 2047 encoded-word, which ntfy accepts in Title, Tags and Actions. Line breaks
 * are flattened first: a header value cannot hold one.
 */
export function ntfyHeaderValue(value: string): string {
  const flat = value.replace(/[\r\n]+/g, ' ').trim();
  if (/^[\x20-\x7e]*$/.test(flat)) return flat;
  return `=?UTF-8?B?${Buffer.from(flat, 'utf8').toString('base64')}?=`;
}

/** A URL as one field of ntfy's comma/semicolon separated action syntax: quoted when it must be. */
function actionField(value: string): string {
  return /[,;"']/.test(value) ? `"${value.replace(/"/g, '%22')}"` : value;
}

/** Tags become emoji in the ntfy apps (rotating_light → 🚨); the severity shows as a plain tag. */
function tags(p: NotificationPayload): string[] {
  const kindTag: Record<string, string> = {
    page: 'rotating_light',
    verify: 'key',
    handoff: 'calendar',
    post: 'speech_balloon',
  };
  const out = [kindTag[p.kind] ?? 'bell'];
  if (p.incident?.severity) out.push(p.incident.severity.toLowerCase().replace(/[,\s]+/g, '-'));
  return out;
}

/** The request ntfy gets for one notification: headers and the plain-text body. */
export function ntfyRequest(payload: unknown): { headers: Record<string, string>; body: string } {
  const p = asNotificationPayload(payload);
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
    title: ntfyHeaderValue(subjectOf(p) || 'Tocsin'),
    priority: p.kind === 'page' ? '5' : '3',
    tags: ntfyHeaderValue(tags(p).join(',')),
  };
  const click = httpUrl(p.incident?.url);
  if (click) headers.click = click;
  const ack = p.kind === 'page' ? httpUrl(p.ack?.url) : undefined;
  if (ack) headers.actions = `view, Acknowledge, ${actionField(ack)}, clear=true`;
  let body = p.text || subjectOf(p) || 'Tocsin notification';
  if (p.kind === 'verify' && p.code && !body.includes(p.code)) body += `\nCode: ${p.code}`;
  return { headers, body };
}

/** ntfy's error answer: {"code":40301,"http":403,"error":"forbidden","link":"…"}. */
function ntfyErrorText(status: number, text: string): string {
  try {
    const e = JSON.parse(text) as { code?: unknown; error?: unknown };
    if (typeof e.error === 'string') return `ntfy HTTP ${status} ${String(e.code ?? '')}: ${e.error}`.trim();
  } catch {
    // Not ntfy's JSON (a proxy's error page): the status says enough.
  }
  return `ntfy HTTP ${status}`;
}

export function ntfyProvider(options: NtfyOptions): Provider {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    channel: 'push',
    async send(message: OutboundMessage): Promise<SendResult> {
      if (!NTFY_TOPIC.test(message.destination)) {
        throw new DeliveryError(`not an ntfy topic: ${JSON.stringify(message.destination)}`, false);
      }
      const { headers, body } = ntfyRequest(message.payload);
      headers['user-agent'] = `tocsin/${VERSION} (+ntfy)`;
      // The outbox id, stable across retries (as in email's X-Tocsin-Message): a receiver (a proxy, a
      // test's fake) can drop a message it already has; ntfy itself ignores the header.
      headers['x-tocsin-message'] = message.id;
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let response: Response;
      let text: string;
      try {
        response = await fetch(`${base}/${message.destination}`, {
          method: 'POST',
          headers,
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await response.text();
      } catch (error) {
        throw new DeliveryError(`ntfy: ${describeFailure(error, timeoutMs)}`, true);
      }
      if (!response.ok) {
        throw new DeliveryError(ntfyErrorText(response.status, text), isRetryableStatus(response.status));
      }
      let id: unknown;
      try {
        id = (JSON.parse(text) as { id?: unknown }).id;
      } catch {
        id = undefined;
      }
      // A 2xx that is not ntfy's answer (a proxy, a captive portal) may have delivered nothing: a dead
      // letter shows up in the API and /health/detailed, a "sent" would hide the lost page. Not
      // retried, since it may equally have gone through.
      if (typeof id !== 'string' || !id)
        throw new DeliveryError(`ntfy HTTP ${response.status} without a message id`, false);
      return { providerId: id };
    },
  };
}

/**
 * The push provider, when TOCSIN_NTFY_URL names a server. Not on by default: anyone who guesses a topic
 * on the public ntfy.sh reads what is published to it, so sending incident details there is a choice
 * an admin makes (ideally with a server of their own, or access control and a token).
 */
export function ntfyProviderFromEnv(env: Env): Provider | undefined {
  if (!env.TOCSIN_NTFY_URL) return undefined;
  return ntfyProvider({ baseUrl: env.TOCSIN_NTFY_URL, token: env.TOCSIN_NTFY_TOKEN });
}
