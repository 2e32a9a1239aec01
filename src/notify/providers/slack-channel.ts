import type { Env } from '../../config/env.ts';
import { INCIDENT_CHANNEL_DELIVERY } from '../../domain/notifications/queries.ts';
import { DeliveryError, type OutboundMessage, type Provider, type SendResult } from './provider.ts';
import { type SlackApi, slackApiFromEnv } from './slack.ts';

// Channel `slack-channel`: the incident channel's own operations, queued in the outbox like any
// message so they are durable, retried and deduplicated (src/domain/chat/incident-channel.ts queues
// them). Two kinds of row:
// - `channel.open` (destination `#<planned name>`): conversations.create, suffixing the name while
//   Slack answers name_taken. Its provider id, "<channel id> <name>", is where the incident's channel
//   is stored: the incident API and every later post to the channel read it from there.
// - `channel.invite` (destination: the channel, resolved to its id at delivery): users.lookupByEmail
//   for people without a Slack member id on file, then conversations.invite.
// Opening and inviting are separate rows so a failed invite is retried alone: retrying an open that
// had succeeded would create a second, suffixed channel.

export const SLACK_CHANNEL_DELIVERY = INCIDENT_CHANNEL_DELIVERY;

export interface ChannelOpenPayload {
  kind: 'channel.open';
  name: string;
}

export interface ChannelInvitePayload {
  kind: 'channel.invite';
  /** Slack member ids on file (contact methods of kind slack). */
  slack_ids: string[];
  /** Emails of people without one: looked up with users.lookupByEmail. */
  emails: string[];
}

/** The provider id of an opened channel (parseOpenedChannel reads it back). */
export const openedChannelId = (channel: { id: string; name: string }) => `${channel.id} ${channel.name}`;

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

export function slackChannelProvider(api: SlackApi): Provider {
  return {
    channel: SLACK_CHANNEL_DELIVERY,
    async send(message: OutboundMessage): Promise<SendResult> {
      const p = (message.payload ?? {}) as Record<string, unknown>;
      if (p.kind === 'channel.open') {
        const name = typeof p.name === 'string' ? p.name : message.destination.replace(/^#/, '');
        return { providerId: openedChannelId(await api.createChannel(name)) };
      }
      if (p.kind === 'channel.invite') {
        const ids = new Set(strings(p.slack_ids));
        for (const email of strings(p.emails)) {
          const id = await api.lookupUserByEmail(email);
          if (id) ids.add(id);
        }
        await api.invite(message.destination, [...ids]);
        return { providerId: `${message.destination} invited ${ids.size}` };
      }
      throw new DeliveryError(`unknown ${SLACK_CHANNEL_DELIVERY} operation ${String(p.kind)}`, false);
    },
  };
}

export function slackChannelProviderFromEnv(env: Env): Provider | undefined {
  const api = slackApiFromEnv(env);
  return api && slackChannelProvider(api);
}
