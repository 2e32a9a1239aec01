import {
  type ChatWebhook,
  type ChatWebhookFormat,
  chatChannelKey,
  type Env,
  loadEnv,
} from '../../config/env.ts';
import type { OutboundPolicy } from '../../lib/outbound-guard.ts';
import { asNotificationPayload, type NotificationPayload } from '../message.ts';
import { answerJson, httpFailure, type JsonAnswer, postJson, retryAfterNote } from './post-json.ts';
import { DeliveryError, type OutboundMessage, type Provider, type SendResult } from './provider.ts';
import { headline, type SlackApi, slackApiFromEnv, slackContent } from './slack.ts';
import { teamsMessage } from './teams.ts';

// Channel `chat`: the destination is a channel name (#incidents). One provider routes it: a channel
// with an incoming webhook in TOCSIN_CHAT_WEBHOOKS is posted there in the webhook's format (Slack,
// Teams Workflows, Mattermost, Discord); any other channel goes through the Slack bot when there is
// one (chat.postMessage accepts channel names); else the message fails for good, "no chat route".
// Webhook URLs are secrets that reach arbitrary hosts, so every one goes through the SSRF guard.

export interface ChatOptions {
  /** TOCSIN_CHAT_WEBHOOKS, keyed by chatChannelKey. */
  webhooks?: Record<string, ChatWebhook> | undefined;
  /** The Slack Web API when TOCSIN_SLACK_BOT_TOKEN is set. */
  slack?: SlackApi | undefined;
  policy: OutboundPolicy;
  /** Deadline for one webhook exchange (default 10s). */
  timeoutMs?: number | undefined;
}

const USERNAME = 'Tocsin';

/** Attachment/embed colour: red for pages, green once resolved, amber otherwise. */
function colour(p: NotificationPayload): string {
  if (p.kind === 'page') return '#d1242f';
  return p.incident?.state === 'resolved' ? '#1a7f37' : '#bf8700';
}

/** Markdown links (Mattermost, Discord) to the incident and, on pages, the ack link with its code. */
function markdownLinks(p: NotificationPayload): string[] {
  const links: string[] = [];
  if (p.kind === 'page' && p.ack) links.push(`[Acknowledge](${p.ack.url}) (code ${p.ack.code})`);
  if (p.incident?.url) links.push(`[Open incident ${p.incident.id}](${p.incident.url})`);
  return links;
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Mattermost's Slack-compatible incoming webhook body (text + message attachments). */
export function mattermostBody(p: NotificationPayload): Record<string, unknown> {
  const title = headline(p);
  const fields = p.incident
    ? [
        { short: true, title: 'Severity', value: p.incident.severity },
        { short: true, title: 'State', value: p.incident.state },
      ]
    : [];
  return {
    username: USERNAME,
    text: `${p.kind === 'page' ? 'Page: ' : ''}${title}`,
    attachments: [
      {
        fallback: title,
        color: colour(p),
        title,
        ...(p.incident?.url ? { title_link: p.incident.url } : {}),
        text: [p.text, ...markdownLinks(p)].filter(Boolean).join('\n'),
        fields,
      },
    ],
  };
}

/**
 * Discord's webhook body (https://discord.com/developers/docs/resources/webhook#execute-webhook): content
 * ≤2000, one embed (title ≤256, description ≤4096). allowed_mentions is empty so an incident titled
 * "@everyone" pings nobody.
 */
export function discordBody(p: NotificationPayload): Record<string, unknown> {
  const title = headline(p);
  const fields = p.incident
    ? [
        { name: 'Severity', value: cut(p.incident.severity, 1024), inline: true },
        { name: 'State', value: cut(p.incident.state, 1024), inline: true },
      ]
    : [];
  return {
    username: USERNAME,
    content: cut(`${p.kind === 'page' ? 'Page: ' : ''}${title}`, 2000),
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: cut(title, 256),
        ...(p.incident?.url ? { url: p.incident.url } : {}),
        description: cut([p.text, ...markdownLinks(p)].filter(Boolean).join('\n'), 4096),
        color: Number.parseInt(colour(p).slice(1), 16),
        fields,
      },
    ],
  };
}

/** The body each webhook format expects. */
export function webhookBody(format: ChatWebhookFormat, p: NotificationPayload): unknown {
  switch (format) {
    case 'slack':
      return { ...slackContent(p), unfurl_links: false };
    case 'mattermost':
      return mattermostBody(p);
    case 'discord':
      return discordBody(p);
    case 'teams':
      return teamsMessage(p);
  }
}

/**
 * The id to store for a delivered webhook message: Teams names the workflow run, Discord its message
 * (when the URL asks ?wait=true); Slack and Mattermost answer "ok", so the outbox id stands in.
 */
function webhookMessageId(format: ChatWebhookFormat, answer: JsonAnswer, outboxId: string): string {
  const run = answer.headers.get('x-ms-workflow-run-id');
  if (format === 'teams' && run) return `teams/${run}`;
  const json = answerJson(answer) as { id?: unknown } | undefined;
  if (format === 'discord' && typeof json?.id === 'string') return `discord/${json.id}`;
  return `${format}/${outboxId}`;
}

/** Discord says how long to wait in its 429 body (seconds, fractional); others in Retry-After. */
function webhookFailure(format: ChatWebhookFormat, answer: JsonAnswer): DeliveryError {
  if (format === 'discord' && answer.status === 429) {
    const json = answerJson(answer) as { retry_after?: unknown; message?: unknown } | undefined;
    const wait = typeof json?.retry_after === 'number' ? json.retry_after : undefined;
    return new DeliveryError(
      `HTTP 429: ${String(json?.message ?? 'rate limited')}${retryAfterNote(answer, wait)}`,
      true,
    );
  }
  return httpFailure(answer);
}

export async function postToWebhook(
  hook: ChatWebhook,
  p: NotificationPayload,
  outboxId: string,
  options: { policy: OutboundPolicy; timeoutMs: number },
): Promise<SendResult> {
  const answer = await postJson(hook.url, webhookBody(hook.format, p), options);
  if (answer.status >= 200 && answer.status < 300) {
    return { providerId: webhookMessageId(hook.format, answer, outboxId) };
  }
  throw webhookFailure(hook.format, answer);
}

/** The `chat` provider, or undefined when neither webhooks nor a Slack bot are configured. */
export function chatProvider(options: ChatOptions): Provider | undefined {
  const webhooks = options.webhooks ?? {};
  const { slack } = options;
  if (!slack && Object.keys(webhooks).length === 0) return undefined;
  const post = { policy: options.policy, timeoutMs: options.timeoutMs ?? 10_000 };
  return {
    channel: 'chat',
    async send(message: OutboundMessage): Promise<SendResult> {
      const payload = asNotificationPayload(message.payload);
      const hook = webhooks[chatChannelKey(message.destination)];
      if (hook) return postToWebhook(hook, payload, message.id, post);
      if (slack) return slack.postMessage(message.destination, slackContent(payload));
      throw new DeliveryError(
        `no chat route for ${message.destination}: add it to TOCSIN_CHAT_WEBHOOKS or set TOCSIN_SLACK_BOT_TOKEN`,
        false,
      );
    },
  };
}

/** Channel `chat` from TOCSIN_CHAT_WEBHOOKS and TOCSIN_SLACK_BOT_TOKEN; undefined when both are unset. */
export function chatProviderFromEnv(env: Env, policy: OutboundPolicy): Provider | undefined {
  return chatProvider({ webhooks: env.TOCSIN_CHAT_WEBHOOKS, slack: slackApiFromEnv(env), policy });
}

/** The chat routes the environment gives (for validation: which channels a plan posts to reach nobody). */
export function chatRoutesOf(env: Pick<Env, 'TOCSIN_CHAT_WEBHOOKS' | 'TOCSIN_SLACK_BOT_TOKEN'>): {
  channels: ReadonlySet<string>;
  slackBot: boolean;
} {
  return {
    channels: new Set(Object.keys(env.TOCSIN_CHAT_WEBHOOKS ?? {})),
    slackBot: Boolean(env.TOCSIN_SLACK_BOT_TOKEN),
  };
}

/** chatRoutesOf this process's environment; none when the environment is invalid (start refuses it then). */
export function chatRoutesFromEnv(): ReturnType<typeof chatRoutesOf> {
  try {
    return chatRoutesOf(loadEnv());
  } catch {
    return { channels: new Set(), slackBot: false };
  }
}
