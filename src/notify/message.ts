// What a provider finds in an outbox row's payload: one shape for every channel, so paging, workflow
// notifications and verification codes are rendered by each provider in its own format (an email with
// a link, a Slack message with a button, an Adaptive Card, an SMS with a reply code, a spoken call).

export type ContactKind = 'email' | 'sms' | 'voice' | 'push' | 'slack';

/**
 * Outbox channels and what their destination holds:
 * - email: an email address; sms, voice: an E.164 phone number (+251911234567); push: an ntfy topic;
 * - slack: a Slack user or conversation id (U…/C…) for chat.postMessage;
 * - chat: a channel name like #incidents (delivered through the chat webhooks/bot the config names);
 * - webhook: a URL.
 */
export type DeliveryChannel = ContactKind | 'chat' | 'webhook';

export interface NotificationPayload {
  /** page: someone must act (has ack); notify/post: information; verify: a contact-method code. */
  kind: 'page' | 'notify' | 'post' | 'verify' | 'handoff' | string;
  /** The message, already rendered (plain text; providers escape it for their format). */
  text: string;
  /** A short subject line (email subject, push title); providers derive one from text when absent. */
  subject?: string;
  /** A page's text for one SMS segment (160 GSM-7 or 70 UCS-2 characters), reply code included. */
  short?: string;
  incident?: {
    id: string;
    title: string;
    severity: string;
    state: string;
    /** The incident page in Tocsin. */
    url?: string;
  };
  /** How to acknowledge a page: a link (email, push, Teams, chat) and a short code (SMS reply, voice). */
  ack?: { url: string; code: string };
  /** A shadow recipient's copy of a page (training): no ack, marked shadow. */
  shadow?: boolean;
  /** verify: the code the user types back. */
  code?: string;
  /** A link that stops these messages (status page subscribers): email adds List-Unsubscribe. */
  unsubscribe?: string;
  /** The language of the text (BCP 47), when known: email sets Content-Language. */
  language?: string;
  /** A calendar invitation (post-mortem meetings): email sends it as text/calendar with this method. */
  calendar?: { method: 'REQUEST' | 'CANCEL'; ics: string };
  /** A page's parts, for channels that lay them out (Slack blocks, Teams cards); `text` says them all. */
  page?: PageLayout;
}

/** What a page is about and where it stands, as separate parts (src/domain/paging/page-content.ts). */
export interface PageLayout {
  service: string | null;
  /** The alert that opened the incident: its source, summary and first few details (each one line). */
  alert?: { source: string; summary: string; details: { name: string; value: string }[] } | undefined;
  step: number;
  steps: number;
  round: number;
  rounds: number;
  /** The escalation policy paged, when one is. */
  policy: string | null;
  /** Who else this step pages. */
  others: string[];
  /** How to resolve from the command line, e.g. `npx tocsin incident resolve 12`. */
  resolve?: string | undefined;
}

/** Reads the payload of an outbox row defensively: rows written by older versions may lack fields. */
export function asNotificationPayload(payload: unknown): NotificationPayload {
  const p = (payload && typeof payload === 'object' ? payload : {}) as Partial<NotificationPayload>;
  return {
    ...p,
    kind: typeof p.kind === 'string' ? p.kind : 'notify',
    text: typeof p.text === 'string' ? p.text : '',
  };
}

/** A subject line: the given one, else the first line of the text, cut to 120 characters. */
export function subjectOf(p: NotificationPayload): string {
  const s = p.subject ?? p.text.split('\n')[0] ?? '';
  return s.length > 120 ? `${s.slice(0, 119)}…` : s;
}
