import { createHmac } from 'node:crypto';
import { describeFailure } from '../../domain/checks/probes.ts';
import { guardedFetch, type OutboundPolicy, OutboundRefused } from '../../lib/outbound-guard.ts';
import { VERSION } from '../../version.ts';
import { DeliveryError, type OutboundMessage, type Provider, type SendResult } from './provider.ts';

// Webhook channel: POST the message as JSON to the destination URL, signed per Standard Webhooks
// (https://www.standardwebhooks.com): webhook-id, webhook-timestamp (unix seconds) and
// webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>" keyed with the secret's bytes.
// Implemented with node:crypto (a dozen lines) instead of a dependency.

export interface WebhookOptions {
  /** TOCSIN_WEBHOOK_SECRET (`whsec_<base64>`); unset: requests go unsigned. */
  secret?: string | undefined;
  policy: OutboundPolicy;
  /** Deadline for the whole exchange (default 10s). */
  timeoutMs?: number | undefined;
}

/** The secret's key bytes: the base64 after the `whsec_` prefix. */
export function webhookKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** The Standard Webhooks signature header value for one message. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', webhookKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The JSON body receivers get: Standard Webhooks' {type, timestamp, data} envelope. */
export function webhookBody(message: OutboundMessage): string {
  return JSON.stringify({
    type: message.template ?? 'tocsin.notification',
    timestamp: message.createdAt.toISOString(),
    data: message.payload,
  });
}

/** Whether an answer's status is worth retrying: 5xx, 408 (timeout) and 429 (rate limited). */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

export function webhookProvider(options: WebhookOptions): Provider {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    channel: 'webhook',
    async send(message: OutboundMessage): Promise<SendResult> {
      const id = `msg_${message.id}`;
      const timestamp = Math.floor(message.now.getTime() / 1000);
      const body = webhookBody(message);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': `tocsin/${VERSION} (+webhook)`,
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
      };
      if (options.secret) headers['webhook-signature'] = signWebhook(options.secret, id, timestamp, body);
      let response: Response;
      try {
        // Redirects are not followed: a POST's body must not wander to another target.
        ({ response } = await guardedFetch(message.destination, {
          policy: options.policy,
          method: 'POST',
          body,
          headers,
          maxRedirects: 0,
          signal: AbortSignal.timeout(timeoutMs),
        }));
      } catch (error) {
        throw new DeliveryError(describeFailure(error, timeoutMs), !(error instanceof OutboundRefused));
      }
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) return { providerId: id };
      throw new DeliveryError(`HTTP ${response.status}`, isRetryableStatus(response.status));
    },
  };
}
