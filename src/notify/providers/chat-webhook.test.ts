import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from '../../../test/fakes/discord.ts';
import { type FakeSlack, startFakeSlack } from '../../../test/fakes/slack.ts';
import { type FakeTeams, startFakeTeams } from '../../../test/fakes/teams.ts';
import { type ChatWebhook, loadEnv } from '../../config/env.ts';
import { type OutboundPolicy, outboundAllowList } from '../../lib/outbound-guard.ts';
import { chatProvider, chatProviderFromEnv, discordBody, mattermostBody } from './chat-webhook.ts';
import type { OutboundMessage, Provider } from './provider.ts';
import { slackApi, slackProviderFromEnv } from './slack.ts';
import { deliveryFailure, page } from './testing.ts';

// Channel `chat` against loopback fakes of Slack (API and incoming webhooks, Mattermost's too), Teams
// Workflows and Discord. The fakes listen on 127.0.0.1, so the guard lets them through only because
// the allow-list names loopback; without it every webhook is refused before a byte is sent.

const loopback: OutboundPolicy = { allowPrivate: false, allow: outboundAllowList(['127.0.0.0/8']) };
const strict: OutboundPolicy = { allowPrivate: false };

let n = 0;
function message(destination: string, payload: unknown = page): OutboundMessage {
  n += 1;
  const at = new Date('2026-03-02T10:00:00Z');
  return {
    id: `m${n}`,
    channel: 'chat',
    destination,
    template: null,
    payload,
    createdAt: at,
    attempt: 1,
    now: at,
  };
}

const failure = deliveryFailure;

let slack: FakeSlack;
let teams: FakeTeams;
let discord: FakeDiscord;
let hooks: Record<string, ChatWebhook>;

beforeAll(async () => {
  [slack, teams, discord] = await Promise.all([startFakeSlack(), startFakeTeams(), startFakeDiscord()]);
  hooks = {
    '#slack-hook': { url: `${slack.url}/services/T000/B000/XXXX`, format: 'slack' },
    '#mattermost': { url: `${slack.url}/hooks/xjq8w3ybtpf7`, format: 'mattermost' },
    '#teams': { url: teams.webhookUrl(), format: 'teams' },
    '#discord': { url: discord.webhookUrl(), format: 'discord' },
    '#discord-wait': { url: discord.webhookUrl(true), format: 'discord' },
  };
});
afterAll(() => Promise.all([slack.close(), teams.close(), discord.close()]));

function provider(options: { slack?: boolean; policy?: OutboundPolicy } = {}): Provider {
  const api = options.slack ? slackApi({ token: slack.token, apiUrl: slack.apiUrl }) : undefined;
  const p = chatProvider({ webhooks: hooks, slack: api, policy: options.policy ?? loopback });
  if (!p) throw new Error('no provider');
  return p;
}

describe('TOCSIN_CHAT_WEBHOOKS', () => {
  it('is parsed and keyed by lower-case channel name with #', () => {
    const env = loadEnv({
      TOCSIN_CHAT_WEBHOOKS: JSON.stringify({
        Incidents: { url: 'https://hooks.slack.com/services/T/B/X', format: 'slack' },
        '#ops': { url: 'https://discord.com/api/webhooks/1/t', format: 'discord' },
      }),
    });
    expect(env.TOCSIN_CHAT_WEBHOOKS).toEqual({
      '#incidents': { url: 'https://hooks.slack.com/services/T/B/X', format: 'slack' },
      '#ops': { url: 'https://discord.com/api/webhooks/1/t', format: 'discord' },
    });
  });

  it.each([
    ['{"#a": ', /TOCSIN_CHAT_WEBHOOKS=.*: not JSON/],
    ['["https://x.example"]', /TOCSIN_CHAT_WEBHOOKS=.*: the value: .*expected record/],
    ['{"#a": {"url": "https://x.example/h", "format": "irc"}}', /: "#a"\."format": Invalid option/],
    ['{"#a": {"url": "file:///etc/passwd", "format": "slack"}}', /: "#a"\."url": Invalid URL/],
    ['{"#a": {"url": "https://x.example/h", "format": "slack", "extra": 1}}', /: "#a": Unrecognized key/],
  ])('refuses %s with an error naming the variable and the entry', (value, error) => {
    expect(() => loadEnv({ TOCSIN_CHAT_WEBHOOKS: value })).toThrow(error);
  });
});

describe('providers from the environment', () => {
  it('builds slack and chat from TOCSIN_SLACK_BOT_TOKEN, chat alone from TOCSIN_CHAT_WEBHOOKS, neither without', async () => {
    const botOnly = loadEnv({ TOCSIN_SLACK_BOT_TOKEN: slack.token, TOCSIN_SLACK_API_URL: slack.apiUrl });
    expect(slackProviderFromEnv(botOnly)?.channel).toBe('slack');
    const chat = chatProviderFromEnv(botOnly, strict);
    await chat?.send(message('#incidents'));
    expect(slack.posts.at(-1)).toMatchObject({ channel: '#incidents' });

    const hooksOnly = loadEnv({ TOCSIN_CHAT_WEBHOOKS: JSON.stringify({ '#ops': hooks['#discord'] }) });
    expect(slackProviderFromEnv(hooksOnly)).toBeUndefined();
    expect(chatProviderFromEnv(hooksOnly, loopback)?.channel).toBe('chat');

    expect(slackProviderFromEnv(loadEnv({}))).toBeUndefined();
    expect(chatProviderFromEnv(loadEnv({}), loopback)).toBeUndefined();
  });
});

describe('the chat provider', () => {
  it('is left out when neither webhooks nor a Slack bot are configured', () => {
    expect(chatProvider({ policy: loopback })).toBeUndefined();
    expect(chatProvider({ webhooks: {}, policy: loopback })).toBeUndefined();
  });

  it('posts Block Kit to a Slack incoming webhook', async () => {
    const result = await provider().send(message('#Slack-Hook'));
    expect(result.providerId).toMatch(/^slack\/m\d+$/);
    const post = slack.hookPosts.at(-1);
    expect(post?.path).toBe('/services/T000/B000/XXXX');
    expect(post?.body).toMatchObject({ text: 'Page: [SEV1] Checkout down', unfurl_links: false });
    expect(((post?.body.blocks ?? []) as { type: string }[]).map((b) => b.type)).toEqual([
      'header',
      'section',
      'context',
      'actions',
    ]);
  });

  it('posts Mattermost attachments with the ack and incident links', async () => {
    await provider().send(message('#mattermost'));
    const body = slack.hookPosts.at(-1)?.body;
    expect(body).toEqual(mattermostBody(page));
    expect(body).toMatchObject({
      username: 'Tocsin',
      text: 'Page: [SEV1] Checkout down',
      attachments: [
        {
          color: '#d1242f',
          title: '[SEV1] Checkout down',
          title_link: 'https://t.example/i/42',
          text:
            'Checkout is failing for 40% of requests\n[Acknowledge](https://t.example/ack/tok) (code 4821)\n' +
            '[Open incident inc_42](https://t.example/i/42)',
          fields: [
            { short: true, title: 'Severity', value: 'SEV1' },
            { short: true, title: 'State', value: 'triggered' },
          ],
        },
      ],
    });
  });

  it('posts an Adaptive Card to Teams and keeps the workflow run id', async () => {
    const result = await provider().send(message('#teams'));
    const card = teams.cards.at(-1);
    expect(result.providerId).toBe(`teams/${card?.runId}`);
    expect(card?.card).toMatchObject({
      type: 'AdaptiveCard',
      actions: [
        { type: 'Action.OpenUrl', title: 'Acknowledge', url: 'https://t.example/ack/tok' },
        { type: 'Action.OpenUrl', title: 'Open incident', url: 'https://t.example/i/42' },
      ],
    });
  });

  it('reports a refused Teams card as permanent, a Teams outage as retryable', async () => {
    teams.script({ status: 400, body: { error: { code: 'InvalidRequestContent', message: 'bad card' } } });
    expect(await failure(provider().send(message('#teams')))).toMatchObject({
      message: 'HTTP 400: {"error":{"code":"InvalidRequestContent","message":"bad card"}}',
      retryable: false,
    });
    teams.script({ status: 500, body: 'x'.repeat(1_000_000) });
    expect(await failure(provider().send(message('#teams')))).toMatchObject({
      message: `HTTP 500: ${'x'.repeat(200)}`,
      retryable: true,
    });
    teams.script({ status: 502, body: '' });
    expect(await failure(provider().send(message('#teams')))).toMatchObject({
      message: 'HTTP 502',
      retryable: true,
    });
  });

  it('posts a Discord embed that mentions nobody (204), and keeps the message id with ?wait=true', async () => {
    const result = await provider().send(message('#discord', { ...page, text: '@everyone look' }));
    expect(result.providerId).toMatch(/^discord\/m\d+$/);
    const post = discord.posts.at(-1);
    expect(post?.body).toEqual(discordBody({ ...page, text: '@everyone look' }));
    expect(post?.body).toMatchObject({
      content: 'Page: [SEV1] Checkout down',
      allowed_mentions: { parse: [] },
      embeds: [{ title: '[SEV1] Checkout down', url: 'https://t.example/i/42', color: 0xd1242f }],
    });

    const waited = await provider().send(message('#discord-wait'));
    expect(waited.providerId).toBe(`discord/${discord.posts.at(-1)?.id}`);
  });

  it("honours Discord's 429 retry_after as a retryable failure", async () => {
    discord.rateLimitNext(0.75);
    const before = discord.posts.length;
    expect(await failure(provider().send(message('#discord')))).toMatchObject({
      message: 'HTTP 429: You are being rate limited. (retry after 0.75s)',
      retryable: true,
    });
    expect(discord.posts).toHaveLength(before);
  });

  it('sends channels without a webhook through the Slack bot, by name', async () => {
    const result = await provider({ slack: true }).send(message('#incidents'));
    const post = slack.posts.at(-1);
    expect(post).toMatchObject({ channel: '#incidents', answeredChannel: 'C0INCIDENT' });
    expect(result.providerId).toBe(`C0INCIDENT/${post?.ts}`);
  });

  it('fails for good when a channel has no route', async () => {
    expect(await failure(provider().send(message('#elsewhere')))).toMatchObject({
      message: 'no chat route for #elsewhere: add it to TOCSIN_CHAT_WEBHOOKS or set TOCSIN_SLACK_BOT_TOKEN',
      retryable: false,
    });
  });

  it('refuses loopback webhooks unless the allow-list names them, before sending anything', async () => {
    const before = teams.requests.length + discord.requests.length + slack.requests.length;
    for (const channel of ['#teams', '#discord', '#slack-hook', '#mattermost']) {
      const error = await failure(provider({ policy: strict }).send(message(channel)));
      expect(error.message).toMatch(
        /^refused: 127\.0\.0\.1 is a loopback address; list it in TOCSIN_OUTBOUND_ALLOW/,
      );
      expect(error.retryable).toBe(false);
    }
    expect(teams.requests.length + discord.requests.length + slack.requests.length).toBe(before);
  });

  it('does not follow a webhook that redirects', async () => {
    slack.script({
      status: 302,
      body: '',
      headers: { location: 'http://169.254.169.254/latest/meta-data/' },
    });
    expect(await failure(provider().send(message('#slack-hook')))).toMatchObject({
      message: 'HTTP 302',
      retryable: false,
    });
  });
});
