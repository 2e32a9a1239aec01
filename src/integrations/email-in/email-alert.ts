import type { AddressObject, ParsedMail } from 'mailparser';
import { z } from 'zod';
import { storableText } from '../../db/storable.ts';
import type { InboundAlertEvent } from '../../domain/alerts/alerts.ts';
import { ALERT_SEVERITIES, type AlertSeverity } from '../../domain/services/services.ts';
import { clip, hashKey } from '../inbound/normalise.ts';

// Email-in: for tools that can only send mail, an `email` integration has the address
// <key>@<domain>, served by the built-in SMTP receiver (smtp-receiver.ts). Each message becomes one
// alert event: the subject is the summary; a subject starting with RESOLVED or OK (configurable)
// resolves; the dedup key is a header's value when the integration names one, else a hash of the
// subject without that prefix — so "RESOLVED: Disk full on db-1" resolves "Disk full on db-1".

/** `config` of an integration of type email. */
export const emailConfigSchema = z.strictObject({
  dedupHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,100}$/, 'a header name, e.g. X-Alert-Id')
    .optional()
    .describe('a header whose value is the dedup key; default: a hash of the subject'),
  severity: z.enum(ALERT_SEVERITIES).default('error').describe('severity of the alerts it raises'),
  resolvePrefixes: z
    .array(z.string().trim().min(1).max(40))
    .max(20)
    .default(['RESOLVED', 'OK'])
    .describe('a subject starting with one of these (any case) resolves'),
});
export type EmailConfig = z.output<typeof emailConfigSchema>;

/** What Tocsin uses of a received message (mailparser's view narrowed, so the rules stay pure). */
export interface ReceivedEmail {
  subject: string;
  from: string | null;
  to: string[];
  messageId: string | null;
  date: Date | null;
  text: string;
  /** Header name (lower case) → raw value of its first occurrence. */
  headers: Map<string, string>;
}

const MAX_BODY_KEPT = 10_000;

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((a) => a.value.map((v) => v.address ?? '').filter(Boolean));
}

/**
 * The sender's words as text PostgreSQL stores (NUL as U+FFFD, see db/storable.ts): a message it
 * refused was answered 451, and the sending server retried it for days, refused every time.
 */
export function receivedEmail(mail: ParsedMail): ReceivedEmail {
  const headers = new Map<string, string>();
  for (const { key, line } of mail.headerLines) {
    // Raw lines keep the value as sent ("X-Alert-Id: abc"); unfolded, so a long value is one line.
    if (!headers.has(key))
      headers.set(
        key,
        storableText(
          line
            .slice(line.indexOf(':') + 1)
            .replace(/\r?\n[ \t]+/g, ' ')
            .trim(),
        ),
      );
  }
  return {
    subject: storableText((mail.subject ?? '').replace(/\s+/g, ' ').trim()),
    from: storableText(addresses(mail.from)[0] ?? null),
    to: addresses(mail.to).map(storableText),
    messageId: storableText(mail.messageId ?? null),
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : null,
    text: storableText((mail.text ?? '').trim()),
    headers,
  };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The subject without a resolving prefix ("RESOLVED: x", "[OK] x", "ok - x"), or null if it has none. */
export function stripResolvePrefix(subject: string, prefixes: readonly string[]): string | null {
  for (const prefix of prefixes) {
    const match = new RegExp(`^\\[?${escapeRegExp(prefix)}\\]?(?=$|[\\s:\\-\\]])[\\s:\\-]*`, 'i').exec(
      subject,
    );
    if (match) return subject.slice(match[0].length).trim();
  }
  return null;
}

/**
 * The alert event a message makes, or null for an automatic reply (an out-of-office answering an
 * alert must not raise one itself; alerting tools mark their own mail auto-generated, which counts).
 */
export function emailToAlertEvent(mail: ReceivedEmail, config: EmailConfig): InboundAlertEvent | null {
  if ((mail.headers.get('auto-submitted') ?? '').toLowerCase().startsWith('auto-replied')) return null;
  const stripped = stripResolvePrefix(mail.subject, config.resolvePrefixes);
  const title = (stripped ?? mail.subject) || '(no subject)';
  const fromHeader = config.dedupHeader ? mail.headers.get(config.dedupHeader.toLowerCase()) : undefined;
  const dedupKey = fromHeader ? fromHeader.slice(0, 255) : `email:${hashKey(title.toLowerCase())}`;
  const raw = {
    subject: mail.subject,
    from: mail.from,
    to: mail.to,
    message_id: mail.messageId,
    date: mail.date?.toISOString() ?? null,
  };
  if (stripped !== null) return { action: 'resolve', dedupKey, raw };
  return {
    action: 'trigger',
    dedupKey,
    summary: clip(title),
    source: mail.from ?? 'email',
    severity: config.severity as AlertSeverity,
    details: { ...raw, body: clip(mail.text, MAX_BODY_KEPT) ?? '' },
    startedAt: mail.date,
    raw,
  };
}
