import { createHmac } from 'node:crypto';
import { type FakeAnswer, type FakeRequest, HttpFake } from './http-fake.ts';

// A loopback Slack: the Web API's chat.postMessage (https://docs.slack.dev/reference/methods/
// chat.postMessage), conversations.create, conversations.invite and users.lookupByEmail, and
// Slack-compatible incoming webhooks (Slack /services/…, Mattermost /hooks/…).
//
// conversations.create as Slack does it: name required (else invalid_name_required), lowercase
// letters, digits, - and _ up to 80 characters (else invalid_name_specials / invalid_name_maxlength),
// name_taken for an existing channel; the bot becomes a member. conversations.invite: `users` a comma-
// separated list (no_user for an empty one), channel_not_found, user_not_found, already_in_channel
// when every user is a member. users.lookupByEmail: form body only (Slack accepts no JSON for it),
// users_not_found for an unknown email.
//
// chat.postMessage as Slack does it: the token in `Authorization: Bearer` (else not_authed /
// invalid_auth), JSON or form body, errors as HTTP 200 {ok: false, error}, success as
// {ok: true, channel, ts, message}; channel names (#incidents) resolve to ids, a user id (U…) posts to
// a DM (D…), a channel the bot is not a member of answers not_in_channel. Incoming webhooks answer
// 200 "ok", or 400 "no_text"/"invalid_payload" as Slack does. Everything received is recorded.

export interface SlackPost {
  channel: string;
  text?: string;
  blocks?: Record<string, unknown>[];
  /** The conversation id Slack answered with, and the message ts. */
  answeredChannel: string;
  ts: string;
}

export interface SlackHookPost {
  path: string;
  body: Record<string, unknown>;
}

export interface FakeSlackOptions {
  /** The bot token chat.postMessage accepts (default xoxb-fake-token). */
  token?: string;
  /** Channel name (without #) → id; names here and ids are postable (default incidents → C0INCIDENT). */
  channels?: Record<string, string>;
  /** Channel ids the bot was not invited to. */
  notInChannel?: string[];
  /** The workspace's members: email → member id (users.lookupByEmail, conversations.invite). */
  users?: Record<string, string>;
}

export interface SlackChannel {
  id: string;
  name: string;
  members: string[];
}

export interface FakeSlack {
  url: string;
  /** For TOCSIN_SLACK_API_URL. */
  apiUrl: string;
  token: string;
  /** Successful chat.postMessage calls. */
  posts: SlackPost[];
  /** Accepted incoming-webhook posts (Slack and Mattermost formats). */
  hookPosts: SlackHookPost[];
  /** Channels conversations.create made, with their members (the bot's U0BOT first). */
  created: SlackChannel[];
  /** Every request, accepted or not. */
  requests: FakeRequest[];
  /** Answers the next request with this instead (e.g. 429 with Retry-After, or {ok:false}). */
  script(answer: FakeAnswer): void;
  close(): Promise<void>;
}

const slackError = (error: string, headers?: Record<string, string>): FakeAnswer => ({
  status: 200,
  body: { ok: false, error },
  ...(headers ? { headers } : {}),
});

function parseBody(request: FakeRequest): Record<string, unknown> | undefined {
  const type = String(request.headers['content-type'] ?? '');
  try {
    if (type.startsWith('application/json')) return JSON.parse(request.body) as Record<string, unknown>;
    if (type.startsWith('application/x-www-form-urlencoded')) {
      return Object.fromEntries(new URLSearchParams(request.body));
    }
  } catch {
    return undefined;
  }
  return undefined;
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const token = options.token ?? 'xoxb-fake-token';
  const channels = options.channels ?? { incidents: 'C0INCIDENT' };
  const ids = new Set(Object.values(channels));
  const notInChannel = new Set(options.notInChannel ?? []);
  const users = options.users ?? {};
  const userIds = new Set(Object.values(users));
  const created: SlackChannel[] = [];
  const posts: SlackPost[] = [];
  const hookPosts: SlackHookPost[] = [];
  const requests: FakeRequest[] = [];
  const scripted: FakeAnswer[] = [];
  let sequence = 0;

  function resolveChannel(channel: string): string | undefined {
    if (channel.startsWith('#')) return channels[channel.slice(1)];
    if (/^U[A-Z0-9]+$/.test(channel)) return `D${channel.slice(1)}`;
    return ids.has(channel) ? channel : undefined;
  }

  /** The request's body when its Bearer token is the bot's, else Slack's error answer. */
  function authorized(request: FakeRequest): Record<string, unknown> | FakeAnswer {
    const auth = request.headers.authorization;
    if (!auth) return slackError('not_authed');
    if (auth !== `Bearer ${token}`) return slackError('invalid_auth');
    return parseBody(request) ?? slackError('invalid_json');
  }
  const isAnswer = (v: Record<string, unknown> | FakeAnswer): v is FakeAnswer =>
    typeof v.status === 'number' && 'body' in v;

  function createConversation(request: FakeRequest): FakeAnswer {
    const body = authorized(request);
    if (isAnswer(body)) return body;
    const name = typeof body.name === 'string' ? body.name : '';
    if (!name) return slackError('invalid_name_required');
    if (name.length > 80) return slackError('invalid_name_maxlength');
    if (!/^[a-z0-9_-]+$/.test(name)) return slackError('invalid_name_specials');
    if (channels[name]) return slackError('name_taken');
    const id = `C${String(created.length + 1).padStart(8, '0')}`;
    channels[name] = id;
    ids.add(id);
    created.push({ id, name, members: ['U0BOT'] });
    return { status: 200, body: { ok: true, channel: { id, name, is_channel: true, is_private: false } } };
  }

  function inviteToConversation(request: FakeRequest): FakeAnswer {
    const body = authorized(request);
    if (isAnswer(body)) return body;
    const channel = created.find((c) => c.id === body.channel);
    if (!channel) return slackError('channel_not_found');
    const invited = (typeof body.users === 'string' ? body.users : '').split(',').filter(Boolean);
    if (invited.length === 0) return slackError('no_user');
    if (invited.some((u) => !userIds.has(u))) return slackError('user_not_found');
    const fresh = invited.filter((u) => !channel.members.includes(u));
    if (fresh.length === 0) return slackError('already_in_channel');
    channel.members.push(...fresh);
    return { status: 200, body: { ok: true, channel: { id: channel.id, name: channel.name } } };
  }

  function lookupByEmail(request: FakeRequest): FakeAnswer {
    if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      // Slack reads only form fields (or the query string) for this method: a JSON body has no email.
      return slackError('invalid_arguments');
    }
    const body = authorized(request);
    if (isAnswer(body)) return body;
    const id = typeof body.email === 'string' ? users[body.email] : undefined;
    if (!id) return slackError('users_not_found');
    return { status: 200, body: { ok: true, user: { id, profile: { email: body.email } } } };
  }

  function postMessage(request: FakeRequest): FakeAnswer {
    const body = authorized(request);
    if (isAnswer(body)) return body;
    const channel = typeof body.channel === 'string' ? body.channel : '';
    const answered = resolveChannel(channel);
    if (!answered) return slackError('channel_not_found');
    if (notInChannel.has(answered)) return slackError('not_in_channel');
    const text = typeof body.text === 'string' ? body.text : undefined;
    const blocks = Array.isArray(body.blocks) ? (body.blocks as Record<string, unknown>[]) : undefined;
    if (!text && !blocks?.length) return slackError('no_text');
    sequence += 1;
    const ts = `${Math.floor(Date.now() / 1000)}.${String(sequence).padStart(6, '0')}`;
    posts.push({
      channel,
      ...(text ? { text } : {}),
      ...(blocks ? { blocks } : {}),
      answeredChannel: answered,
      ts,
    });
    return {
      status: 200,
      body: {
        ok: true,
        channel: answered,
        ts,
        message: { type: 'message', bot_id: 'B0FAKE', text, blocks, ts },
      },
    };
  }

  function incomingWebhook(request: FakeRequest, path: string): FakeAnswer {
    const body = parseBody(request);
    if (!body) return { status: 400, body: 'invalid_payload' };
    const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;
    if (!body.text && !nonEmpty(body.blocks) && !nonEmpty(body.attachments)) {
      return { status: 400, body: 'no_text' };
    }
    hookPosts.push({ path, body });
    return { status: 200, body: 'ok' };
  }

  const fake = await HttpFake.start((request) => {
    requests.push(request);
    const forced = scripted.shift();
    if (forced) return forced;
    const path = request.url.split('?')[0] ?? '';
    if (request.method !== 'POST') return { status: 405, body: 'method_not_allowed' };
    if (path === '/api/chat.postMessage') return postMessage(request);
    if (path === '/api/conversations.create') return createConversation(request);
    if (path === '/api/conversations.invite') return inviteToConversation(request);
    if (path === '/api/users.lookupByEmail') return lookupByEmail(request);
    if (path.startsWith('/services/') || path.startsWith('/hooks/')) return incomingWebhook(request, path);
    return { status: 404, body: 'no_service' };
  });

  return {
    url: fake.url,
    apiUrl: `${fake.url}/api`,
    token,
    posts,
    hookPosts,
    created,
    requests,
    script: (answer) => void scripted.push(answer),
    close: () => fake.close(),
  };
}

export interface ButtonClick {
  /** The Slack user who clicked (default U024BE7LH). */
  userId?: string;
  actionId?: string;
  /** The button's value: the incident id for tocsin_ack. */
  value: string;
  responseUrl?: string;
}

/**
 * The request Slack sends when someone clicks a button (a block_actions interaction), signed with
 * the app's signing secret as Slack signs it: form body `payload=<json>`, X-Slack-Request-Timestamp,
 * X-Slack-Signature "v0=" + hex HMAC-SHA256 of "v0:<ts>:<body>". For tests of the interactivity route.
 */
export function slackButtonClick(
  signingSecret: string,
  click: ButtonClick,
  now: Date,
): { headers: Record<string, string>; body: string } {
  const payload = {
    type: 'block_actions',
    user: { id: click.userId ?? 'U024BE7LH', username: 'ayana', team_id: 'T0FAKE' },
    team: { id: 'T0FAKE', domain: 'fake' },
    api_app_id: 'A0FAKE',
    trigger_id: '1.2.3',
    response_url: click.responseUrl ?? 'https://hooks.slack.com/actions/T0FAKE/1/abc',
    container: { type: 'message', channel_id: 'C0INCIDENT', message_ts: '1772445600.000100' },
    actions: [
      {
        type: 'button',
        action_id: click.actionId ?? 'tocsin_ack',
        block_id: 'b1',
        value: click.value,
        action_ts: `${Math.floor(now.getTime() / 1000)}.000001`,
      },
    ],
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
    body,
  };
}

/**
 * A `/tocsin …` slash command as Slack POSTs it to the app's Request URL: the form fields Slack
 * sends (https://docs.slack.dev/interactivity/implementing-slash-commands), signed like every request.
 */
export function slackSlashCommand(
  signingSecret: string,
  command: { text: string; userId?: string },
  now: Date,
): { headers: Record<string, string>; body: string } {
  const body = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0FAKE',
    team_domain: 'fake',
    channel_id: 'C0INCIDENT',
    channel_name: 'incidents',
    user_id: command.userId ?? 'U024BE7LH',
    user_name: 'ayana',
    command: '/tocsin',
    text: command.text,
    api_app_id: 'A0FAKE',
    response_url: 'https://hooks.slack.com/commands/T0FAKE/1/abc',
    trigger_id: '1.2.3',
  }).toString();
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
    body,
  };
}
