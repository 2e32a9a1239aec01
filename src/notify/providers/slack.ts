import type { Env } from '../../config/env.ts';
import { asNotificationPayload, type NotificationPayload, type PageLayout, subjectOf } from '../message.ts';
import { answerJson, httpFailure, postJson, retryAfterNote } from './post-json.ts';
import { DeliveryError, type OutboundMessage, type Provider, type SendResult } from './provider.ts';

// Slack through the Web API (https://docs.slack.dev/reference/methods/chat.postMessage): POST JSON to
// <api>/chat.postMessage with the bot token as a Bearer token. The message is Block Kit: a header with
// severity and title, the text with a link to the incident, and for pages an Acknowledge button whose
// click comes back through Slack interactivity (src/notify/inbound/slack.ts, action_id tocsin_ack).
//
// The API URL is operator configuration (TOCSIN_SLACK_API_URL), like the ntfy server, so it is not
// behind the SSRF guard; webhook URLs are (chat-webhook.ts).

/** The action_id of the Acknowledge button; its value is the incident id. */
export const SLACK_ACK_ACTION = 'tocsin_ack';

export interface SlackApiOptions {
  /** TOCSIN_SLACK_BOT_TOKEN (xoxb-…). */
  token: string;
  /** TOCSIN_SLACK_API_URL (default https://slack.com/api). */
  apiUrl?: string | undefined;
  /** Deadline for the whole exchange (default 10s). */
  timeoutMs?: number | undefined;
}

export type SlackBlock = Record<string, unknown>;

/** What a Slack message carries: `text` is the notification and screen-reader fallback of `blocks`. */
export interface SlackContent {
  text: string;
  blocks: SlackBlock[];
}

export interface SlackApi {
  /** Posts to a conversation id (C…/D…/G…), a user id (U…, a DM) or a channel name (#incidents). */
  postMessage(channel: string, content: SlackContent): Promise<SendResult>;
  /**
   * conversations.create: a public channel named `name`; when Slack answers name_taken, `name-2`,
   * `name-3` … (each cut to Slack's 80 characters) until one is free.
   */
  createChannel(name: string): Promise<{ id: string; name: string }>;
  /** users.lookupByEmail: the member id of the Slack user with this email, undefined for users_not_found. */
  lookupUserByEmail(email: string): Promise<string | undefined>;
  /** conversations.invite; members already in the channel are not an error (already_in_channel). */
  invite(channel: string, users: string[]): Promise<void>;
}

/** Slack's mrkdwn control characters (https://docs.slack.dev/messaging/formatting-message-text). */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A mrkdwn link; `|` and `>` would end the URL early, so they are percent-encoded. */
export function slackLink(url: string, label: string): string {
  return `<${url.replace(/\|/g, '%7C').replace(/>/g, '%3E')}|${slackEscape(label)}>`;
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** The one-line summary: "[SEV1] Checkout down" for incidents, else the payload's subject. */
export function headline(p: NotificationPayload): string {
  return p.incident ? `[${p.incident.severity}] ${p.incident.title}` : subjectOf(p);
}

/** Slack's Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks). */
const SLACK_LIMITS = {
  header: 150,
  section: 3000,
  field: 2000,
  fields: 10,
  context: 10,
  button: 75,
} as const;

/** "step 2 of 3 (round 1 of 2) of db-oncall" */
function stepText(l: PageLayout): string {
  const round = l.rounds > 1 ? ` (round ${l.round} of ${l.rounds})` : '';
  return `step ${l.step} of ${l.steps}${round}${l.policy ? ` of ${l.policy}` : ''}`;
}

/**
 * A page with its parts laid out: header, a fields section (incident number with its link, service,
 * severity and state, step, who else is paged), the alert (source, summary, details), how to resolve,
 * and Acknowledge / Open incident buttons. Every text is escaped and cut to Slack's limits.
 */
function slackPageBlocks(p: NotificationPayload & { incident: Incident }, l: PageLayout): SlackBlock[] {
  const inc = p.incident;
  const field = (label: string, value: string) => ({
    type: 'mrkdwn',
    text: cut(`*${label}*\n${value}`, SLACK_LIMITS.field),
  });
  const number = inc.url ? slackLink(inc.url, `#${inc.id}`) : slackEscape(`#${inc.id}`);
  const fields = [
    field('Incident', number),
    field('Severity · state', slackEscape(`${inc.severity} · ${inc.state}`)),
    ...(l.service ? [field('Service', slackEscape(l.service))] : []),
    field('You are paged at', slackEscape(stepText(l))),
    ...(l.others.length > 0 ? [field('Also paged', slackEscape(l.others.join(', ')))] : []),
  ].slice(0, SLACK_LIMITS.fields);
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: cut(`🚨 ${p.subject ?? headline(p)}`, SLACK_LIMITS.header),
        emoji: true,
      },
    },
    { type: 'section', fields },
  ];
  if (l.alert) {
    const details = l.alert.details.map((d) => `• ${slackEscape(d.name)}: ${slackEscape(d.value)}`);
    const alert = [
      `*Alert from ${slackEscape(l.alert.source || 'an integration')}:* ${slackEscape(l.alert.summary)}`,
      ...details,
    ].join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(alert, SLACK_LIMITS.section) } });
  }
  const how = [
    ...(p.ack
      ? [`Acknowledge to stop the escalation (or reply ${slackEscape(p.ack.code)} to an SMS page)`]
      : []),
    ...(l.resolve ? [`Resolve when it is over: \`${slackEscape(l.resolve)}\` or on the incident page`] : []),
  ];
  if (how.length > 0) {
    blocks.push({
      type: 'context',
      elements: how
        .slice(0, SLACK_LIMITS.context)
        .map((text) => ({ type: 'mrkdwn', text: cut(text, SLACK_LIMITS.section) })),
    });
  }
  const buttons: SlackBlock[] = [
    {
      type: 'button',
      action_id: SLACK_ACK_ACTION,
      value: inc.id,
      style: 'danger',
      text: { type: 'plain_text', text: 'Acknowledge', emoji: false },
    },
  ];
  if (inc.url) {
    buttons.push({
      type: 'button',
      // Slack also posts the click of a link button to interactivity; the value keeps it well-formed
      // (src/notify/inbound/slack.ts), and only tocsin_ack acts.
      action_id: 'tocsin_open',
      value: inc.id,
      url: cut(inc.url, 3000),
      text: { type: 'plain_text', text: cut(`Open incident #${inc.id}`, SLACK_LIMITS.button), emoji: false },
    });
  }
  blocks.push({ type: 'actions', elements: buttons });
  return blocks;
}

type Incident = NonNullable<NotificationPayload['incident']>;

/** Block Kit for a payload; header ≤150, section ≤3000 characters as Slack requires. */
export function slackContent(p: NotificationPayload): SlackContent {
  const page = p.kind === 'page';
  if (page && p.incident && p.page) {
    return {
      text: slackEscape(`Page: ${p.subject ?? headline(p)}`),
      blocks: slackPageBlocks({ ...p, incident: p.incident }, p.page),
    };
  }
  const title = headline(p);
  const links: string[] = [];
  if (p.incident?.url) links.push(slackLink(p.incident.url, `Open incident ${p.incident.id}`));
  // Without an incident id there is nothing for the button to name: the ack link does its job.
  if (page && p.ack && !p.incident) links.push(slackLink(p.ack.url, 'Acknowledge'));
  const body = [slackEscape(p.text || title), ...links].join('\n');
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: cut(`${page ? '🚨 ' : ''}${title}`, 150), emoji: true },
    },
    { type: 'section', text: { type: 'mrkdwn', text: cut(body, 3000) } },
  ];
  if (p.incident) {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `*Severity:* ${slackEscape(p.incident.severity)} · *State:* ${slackEscape(p.incident.state)}`,
        },
      ],
    });
  }
  if (page && p.incident) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: SLACK_ACK_ACTION,
          value: p.incident.id,
          style: 'danger',
          text: { type: 'plain_text', text: 'Acknowledge', emoji: false },
        },
      ],
    });
  }
  return { text: slackEscape(`${page ? 'Page: ' : ''}${title}`), blocks };
}

/**
 * Slack `error` codes worth another try (https://docs.slack.dev/reference/methods/chat.postMessage);
 * every other code (invalid_auth, channel_not_found, not_in_channel, is_archived, msg_too_long …)
 * means the message cannot go through as it is.
 */
const RETRYABLE_SLACK_ERRORS = new Set([
  'ratelimited',
  'rate_limited',
  'message_limit_exceeded',
  'service_unavailable',
  'internal_error',
  'fatal_error',
  'request_timeout',
]);

interface SlackAnswer {
  ok?: boolean;
  error?: string;
  channel?: string;
  ts?: string;
}

/** A Slack method's answer: ok, or `error` (HTTP 200 {ok:false}) — a 429 or 5xx is an HTTP failure. */
type MethodAnswer<T> = { ok: true; json: T } | { ok: false; error: string; note: string };

/** Tries name, name-2, name-3 … for conversations.create; Slack's limit is 80 characters. */
export function channelNameCandidate(name: string, attempt: number): string {
  if (attempt <= 1) return name.slice(0, 80);
  const suffix = `-${attempt}`;
  return `${name.slice(0, 80 - suffix.length).replace(/[-_]+$/, '')}${suffix}`;
}

/** How many suffixed names conversations.create tries before giving up (name_taken each time). */
const MAX_NAME_ATTEMPTS = 20;

export function slackApi(options: SlackApiOptions): SlackApi {
  const base = (options.apiUrl ?? 'https://slack.com/api').replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  /**
   * POSTs to a Web API method with the bot token: JSON for the write methods, a form for the read
   * ones (users.lookupByEmail does not accept JSON).
   */
  async function call<T extends SlackAnswer>(
    method: string,
    body: Record<string, unknown>,
    form = false,
  ): Promise<MethodAnswer<T>> {
    const answer = await postJson(`${base}/${method}`, body, {
      policy: { allowPrivate: true },
      timeoutMs,
      form,
      headers: { authorization: `Bearer ${options.token}` },
    });
    if (answer.status < 200 || answer.status >= 300) throw httpFailure(answer);
    const json = (answerJson(answer) ?? {}) as T;
    if (json.ok === true) return { ok: true, json };
    return {
      ok: false,
      error: json.error ?? 'an answer that is not Slack JSON',
      note: retryAfterNote(answer),
    };
  }
  const failure = (method: string, a: { error: string; note: string }, about: string) =>
    new DeliveryError(`Slack ${method} ${a.error} (${about})${a.note}`, RETRYABLE_SLACK_ERRORS.has(a.error));
  return {
    async postMessage(channel, content) {
      const a = await call('chat.postMessage', {
        channel,
        ...content,
        unfurl_links: false,
        unfurl_media: false,
      });
      if (a.ok && typeof a.json.ts === 'string') {
        // chat.update and chat.delete need both: a ts is unique only within its conversation.
        return { providerId: `${a.json.channel ?? channel}/${a.json.ts}` };
      }
      if (a.ok) throw new DeliveryError(`Slack chat.postMessage answered no ts (channel ${channel})`, true);
      // The message's own words, kept as they were: "Slack channel_not_found (channel #x)".
      throw new DeliveryError(
        `Slack ${a.error} (channel ${channel})${a.note}`,
        RETRYABLE_SLACK_ERRORS.has(a.error),
      );
    },
    async createChannel(name) {
      for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
        const candidate = channelNameCandidate(name, attempt);
        const a = await call<SlackAnswer & { channel?: { id?: string; name?: string } }>(
          'conversations.create',
          { name: candidate, is_private: false },
        );
        if (a.ok && a.json.channel?.id)
          return { id: a.json.channel.id, name: a.json.channel.name ?? candidate };
        if (a.ok) throw new DeliveryError('Slack conversations.create answered no channel id', true);
        if (a.error !== 'name_taken') throw failure('conversations.create', a, `#${candidate}`);
      }
      throw new DeliveryError(
        `Slack conversations.create: #${name} and ${MAX_NAME_ATTEMPTS - 1} suffixes are taken`,
        false,
      );
    },
    async lookupUserByEmail(email) {
      const a = await call<SlackAnswer & { user?: { id?: string } }>('users.lookupByEmail', { email }, true);
      if (a.ok) return a.json.user?.id;
      if (a.error === 'users_not_found') return undefined;
      throw failure('users.lookupByEmail', a, email);
    },
    async invite(channel, users) {
      if (users.length === 0) return;
      const a = await call('conversations.invite', { channel, users: users.join(','), force: true });
      if (a.ok || a.error === 'already_in_channel') return;
      throw failure('conversations.invite', a, `channel ${channel}`);
    },
  };
}

/** Channel `slack`: the destination is a Slack user or conversation id. */
export function slackProvider(api: SlackApi): Provider {
  return {
    channel: 'slack',
    send(message: OutboundMessage): Promise<SendResult> {
      return api.postMessage(message.destination, slackContent(asNotificationPayload(message.payload)));
    },
  };
}

/** The Slack Web API when TOCSIN_SLACK_BOT_TOKEN is set. */
export function slackApiFromEnv(env: Env): SlackApi | undefined {
  const token = env.TOCSIN_SLACK_BOT_TOKEN;
  return token ? slackApi({ token, apiUrl: env.TOCSIN_SLACK_API_URL }) : undefined;
}

export function slackProviderFromEnv(env: Env): Provider | undefined {
  const api = slackApiFromEnv(env);
  return api && slackProvider(api);
}
