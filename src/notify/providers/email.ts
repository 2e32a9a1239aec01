import type { SendMailOptions, Transporter } from 'nodemailer';
import { z } from 'zod';
import { ConfigError, type Env } from '../../config/env.ts';
import { escapeHtml, html, SafeHtml } from '../../lib/html.ts';
import { VERSION } from '../../version.ts';
import { asNotificationPayload, type NotificationPayload, subjectOf } from '../message.ts';
import { DeliveryError, type OutboundMessage, type Provider, type SendResult } from './provider.ts';

// Email channel: one message per outbox row over SMTP (nodemailer), as plain text and HTML. The
// server is admin configuration (TOCSIN_SMTP_URL), not a user-supplied target, so it is not behind
// the SSRF guard; tests point it at an smtp-server on loopback. A new connection per message (no
// pool): the Provider interface has no close, and idle pooled sockets would outlive a shutdown.

export interface EmailOptions {
  /** TOCSIN_SMTP_URL: smtp://user:pass@host:port, or smtps:// for TLS from the first byte. */
  url: string;
  /** TOCSIN_SMTP_FROM: the From address, e.g. `Tocsin <tocsin@example.com>`. */
  from: string;
  /** Deadline for connecting, the greeting and each command (default 10s). */
  timeoutMs?: number | undefined;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const address = z.email();

/** Only http(s) links go into href: a `javascript:` URL in a payload must not become a live link. */
export function safeLink(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const protocol = new URL(url).protocol;
    return protocol === 'https:' || protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** One line for a header: newlines in a payload's subject must not reach the SMTP header block. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

function textLines(p: NotificationPayload): string[] {
  const lines = [p.text];
  if (p.kind === 'verify' && p.code && !p.text.includes(p.code)) lines.push('', `Code: ${p.code}`);
  const ack = safeLink(p.ack?.url);
  if (ack) lines.push('', `Acknowledge: ${ack}`);
  const incident = safeLink(p.incident?.url);
  if (incident) lines.push('', `Incident: ${incident}`);
  const unsubscribe = safeLink(p.unsubscribe);
  if (unsubscribe && !p.text.includes(unsubscribe)) lines.push('', `Unsubscribe: ${unsubscribe}`);
  return lines;
}

function paragraphs(text: string): SafeHtml[] {
  return text
    .split(/\n{2,}/)
    .map((para) => html`<p>${new SafeHtml(escapeHtml(para).replace(/\n/g, '<br>'))}</p>`);
}

/** The subject, text and HTML of one notification; every payload value is escaped in the HTML. */
export function renderEmail(payload: unknown): RenderedEmail {
  const p = asNotificationPayload(payload);
  const subject = oneLine(subjectOf(p)) || 'Tocsin notification';
  const ack = safeLink(p.ack?.url);
  const incident = safeLink(p.incident?.url);
  const code = p.kind === 'verify' && p.code && !p.text.includes(p.code) ? p.code : undefined;
  const unsubscribe = safeLink(p.unsubscribe);
  const lang = p.language && /^[A-Za-z0-9-]{2,35}$/.test(p.language) ? p.language : 'en';
  const body = html`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font-family:sans-serif;line-height:1.4">
${p.incident ? html`<p><strong>${p.incident.severity}</strong> · ${p.incident.title} (${p.incident.state})</p>` : ''}
${paragraphs(p.text)}
${code ? html`<p>Code: <strong>${code}</strong></p>` : ''}
${ack ? html`<p><a href="${ack}" style="display:inline-block;padding:8px 16px;background:#b00020;color:#fff;text-decoration:none;border-radius:4px">Acknowledge</a></p>` : ''}
${incident ? html`<p><a href="${incident}">Open the incident in Tocsin</a></p>` : ''}
${unsubscribe ? html`<p style="font-size:small"><a href="${unsubscribe}">Unsubscribe</a></p>` : ''}
</body></html>
`;
  return { subject, text: `${textLines(p).join('\n')}\n`, html: body.value };
}

/** The Message-ID of an outbox row: stable across retries, so a receiver can drop a duplicate. */
export function emailMessageId(outboxId: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'tocsin.invalid';
  return `<outbox-${outboxId}@${domain}>`;
}

/** RFC 2369 / RFC 8058 one-click unsubscribe headers for a message that carries an unsubscribe link. */
function unsubscribeHeaders(payload: unknown): Record<string, string> {
  const p = asNotificationPayload(payload);
  const url = safeLink(p.unsubscribe);
  const language: Record<string, string> =
    p.language && /^[A-Za-z0-9-]{2,35}$/.test(p.language) ? { 'Content-Language': p.language } : {};
  if (!url) return language;
  return {
    ...language,
    'List-Unsubscribe': `<${url}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/**
 * A failed send as a DeliveryError: an SMTP reply 5xx is permanent (the server refuses this message
 * for good: unknown mailbox, policy), 4xx is the server's "try again later"; no reply at all
 * (connection refused, timeout, TLS) is retryable.
 */
export function smtpDeliveryError(error: unknown): DeliveryError {
  const e = (error ?? {}) as SmtpFailure;
  const reply = e.response ? oneLine(e.response) : undefined;
  if (typeof e.responseCode === 'number') {
    return new DeliveryError(`SMTP ${reply ?? e.responseCode}`, e.responseCode < 500);
  }
  const detail = e.code ? `${e.code}: ${e.message ?? ''}` : (e.message ?? String(error));
  // An envelope nodemailer refuses itself (no valid recipient) cannot succeed on a retry.
  return new DeliveryError(`SMTP ${oneLine(detail)}`, e.code !== 'EENVELOPE');
}

/** The id the server gave the message ("250 2.0.0 Ok: queued as 4FB7B1C2"), else its whole reply. */
export function smtpProviderId(response: string | undefined, messageId: string): string {
  if (!response) return messageId;
  const queued = /queued as\s+(\S+)/i.exec(response)?.[1];
  return queued ?? oneLine(response).slice(0, 200);
}

export function emailProvider(options: EmailOptions): Provider {
  const timeoutMs = options.timeoutMs ?? 10_000;
  // nodemailer is loaded with the first message, not at start (~60 ms; issue 14, start).
  let transport: Promise<Transporter> | undefined;
  const transportOf = () =>
    (transport ??= import('nodemailer').then(({ createTransport }) =>
      createTransport({
        url: options.url,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      }),
    ));
  return {
    channel: 'email',
    async send(message: OutboundMessage): Promise<SendResult> {
      if (!address.safeParse(message.destination).success) {
        throw new DeliveryError(`not an email address: ${JSON.stringify(message.destination)}`, false);
      }
      const rendered = renderEmail(message.payload);
      const messageId = emailMessageId(message.id, options.from);
      const mail: SendMailOptions = {
        from: options.from,
        to: message.destination,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        messageId,
        headers: {
          'X-Tocsin-Message': message.id,
          'X-Mailer': `tocsin/${VERSION}`,
          // Notifications: no vacation replies or bounces-as-replies to the sender.
          'Auto-Submitted': 'auto-generated',
          ...unsubscribeHeaders(message.payload),
        },
      };
      const calendar = asNotificationPayload(message.payload).calendar;
      if (calendar && (calendar.method === 'REQUEST' || calendar.method === 'CANCEL')) {
        // A text/calendar alternative with its METHOD, which mail clients show as an invitation.
        mail.icalEvent = { method: calendar.method, filename: 'invite.ics', content: calendar.ics };
      }
      try {
        const info = await (await transportOf()).sendMail(mail);
        return { providerId: smtpProviderId(info.response, messageId) };
      } catch (error) {
        throw smtpDeliveryError(error);
      }
    },
  };
}

/** The email provider of TOCSIN_SMTP_URL/TOCSIN_SMTP_FROM; none without a URL. */
export function emailProviderFromEnv(env: Env): Provider | undefined {
  if (!env.TOCSIN_SMTP_URL) return undefined;
  if (!env.TOCSIN_SMTP_FROM) throw new ConfigError('TOCSIN_SMTP_FROM is required with TOCSIN_SMTP_URL');
  return emailProvider({ url: env.TOCSIN_SMTP_URL, from: env.TOCSIN_SMTP_FROM });
}
