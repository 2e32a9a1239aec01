import { createHash, randomBytes } from 'node:crypto';
import type { NotificationPayload } from '../../notify/message.ts';
import { label, stateLabel } from '../status-page/labels.ts';
import { fallbackOrder, pickText } from '../status-page/status-page.ts';

// Pure rules of status page subscribers: the limits of the public subscribe endpoint, link tokens,
// who a notice is for, and what an email or a webhook subscriber receives (in their language).
// No I/O (subscribers.test.ts).

/** Subscribe requests per client address per hour, and per subscribed address per day. */
export const SUBSCRIBE_LIMITS = { perIpPerHour: 10, perAddressPerDay: 3 } as const;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** How long a confirmation link works. */
export const CONFIRM_TTL_MS = 7 * DAY_MS;

export const CONFIRM_PATH = '/status/subscriptions/confirm';
export const UNSUBSCRIBE_PATH = '/status/subscriptions/unsubscribe';

export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A random link token and the hash that is stored in its place. */
export function newLinkToken(): { token: string; hash: string } {
  const token = randomBytes(24).toString('base64url');
  return { token, hash: hashLinkToken(token) };
}

export function linkUrl(publicUrl: string, path: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${path}?token=${token}`;
}

/** A subscriber of no components hears of everything; otherwise of notices touching one of theirs. */
export function wantsNotice(subscribed: readonly string[], touched: readonly string[]): boolean {
  return subscribed.length === 0 || touched.some((c) => subscribed.includes(c));
}

/** A published incident update or maintenance notice, as subscribers learn of it. */
export interface Notice {
  kind: 'incident' | 'maintenance';
  /** The incident's or maintenance's id. */
  id: string;
  /** Unique per notice of this incident or maintenance: delivery is once per subscriber and key. */
  key: string;
  name: string;
  /** Statuspage's status of this notice (investigating … resolved; scheduled … completed). */
  status: string;
  bodies: Record<string, string>;
  at: Date;
  components: { id: string; name: string }[];
}

export interface PageInfo {
  name: string;
  /** The public URL without the trailing slash. */
  publicUrl: string;
  languages: string[];
}

export function noticeUrl(page: PageInfo, notice: Pick<Notice, 'kind' | 'id'>): string {
  return `${page.publicUrl}/status/${notice.kind === 'incident' ? 'incidents' : 'maintenances'}/${notice.id}`;
}

/** The reader's language: theirs when the page has it, else the page's first. */
export function readerLanguage(page: PageInfo, language: string | null): string {
  return language && page.languages.includes(language) ? language : (page.languages[0] ?? 'en');
}

/** The email a subscriber gets for a notice, in their language, with its own unsubscribe link. */
export function noticeEmail(
  notice: Notice,
  page: PageInfo,
  language: string,
  unsubscribeUrl: string,
): NotificationPayload {
  const status = stateLabel(language, notice.status);
  const body = pickText(notice.bodies, fallbackOrder(language, page.languages));
  const affected = notice.components.map((c) => c.name).join(', ');
  const lines = [
    `${notice.name}`,
    '',
    body ? `${status}: ${body}` : status,
    ...(affected ? ['', affected] : []),
    '',
    `${label(language, 'email.view')}: ${noticeUrl(page, notice)}`,
    '',
    `${label(language, 'email.unsubscribe')}: ${unsubscribeUrl}`,
  ];
  return {
    kind: 'status',
    subject: `[${page.name}] ${notice.name} - ${status}`,
    text: lines.join('\n'),
    unsubscribe: unsubscribeUrl,
    language,
  };
}

/** The confirmation email of a new email subscriber (double opt-in). */
export function confirmationEmail(page: PageInfo, language: string, confirmUrl: string): NotificationPayload {
  const vars = { page: page.name };
  return {
    kind: 'status',
    subject: label(language, 'email.confirm_subject', vars),
    text: [
      label(language, 'email.confirm_text', vars),
      '',
      confirmUrl,
      '',
      label(language, 'email.ignore'),
    ].join('\n'),
    language,
  };
}

/**
 * What a webhook subscriber receives (inside the Standard Webhooks envelope's `data`): Statuspage's
 * webhook body — meta with the unsubscribe link, the page, and the incident (or maintenance, which
 * Statuspage also calls an incident) with this update.
 */
export function noticeWebhook(notice: Notice, page: PageInfo, language: string, unsubscribeUrl: string) {
  const body = pickText(notice.bodies, fallbackOrder(language, page.languages));
  return {
    meta: { unsubscribe: unsubscribeUrl, documentation: `${page.publicUrl}/status` },
    page: { id: 'tocsin', name: page.name, url: `${page.publicUrl}/status` },
    incident: {
      id: notice.id,
      name: notice.name,
      status: notice.status,
      shortlink: noticeUrl(page, notice),
      scheduled: notice.kind === 'maintenance',
      components: notice.components,
      incident_updates: [
        {
          id: notice.key,
          incident_id: notice.id,
          status: notice.status,
          body,
          language,
          created_at: notice.at.toISOString(),
        },
      ],
    },
  };
}
