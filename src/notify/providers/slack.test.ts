import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../../test/fakes/slack.ts';
import type { NotificationPayload } from '../message.ts';
import type { OutboundMessage } from './provider.ts';
import { SLACK_ACK_ACTION, slackApi, slackContent, slackEscape, slackProvider } from './slack.ts';
import { deliveryFailure } from './testing.ts';

// The Slack provider against the loopback Slack (test/fakes/slack.ts), which checks the token and
// answers as chat.postMessage does, errors included.

const page: NotificationPayload = {
  kind: 'page',
  text: 'Checkout is failing for 40% of requests <since 10:02> & rising',
  incident: {
    id: 'inc_42',
    title: 'Checkout down',
    severity: 'SEV1',
    state: 'triggered',
    url: 'https://tocsin.example/incidents/inc_42',
  },
  ack: { url: 'https://tocsin.example/ack/tok123', code: '4821' },
};

let attempt = 0;
function message(destination: string, payload: unknown = page): OutboundMessage {
  attempt += 1;
  return {
    id: `m${attempt}`,
    channel: 'slack',
    destination,
    template: null,
    payload,
    createdAt: new Date('2026-03-02T10:00:00Z'),
    attempt: 1,
    now: new Date('2026-03-02T10:00:00Z'),
  };
}

const failure = deliveryFailure;

describe('slackContent', () => {
  it('renders a page as header, escaped text with the incident link, context and an Acknowledge button', () => {
    const { text, blocks } = slackContent(page);
    expect(text).toBe('Page: [SEV1] Checkout down');
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'context', 'actions']);
    expect(blocks[0]).toMatchObject({ text: { type: 'plain_text', text: '🚨 [SEV1] Checkout down' } });
    expect(blocks[1]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          'Checkout is failing for 40% of requests &lt;since 10:02&gt; &amp; rising\n' +
          '<https://tocsin.example/incidents/inc_42|Open incident inc_42>',
      },
    });
    expect(blocks[3]).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: SLACK_ACK_ACTION,
          value: 'inc_42',
          style: 'danger',
          text: { type: 'plain_text', text: 'Acknowledge', emoji: false },
        },
      ],
    });
  });

  it('has no button on notifications, and links the ack URL on a page without an incident', () => {
    const notify = slackContent({ ...page, kind: 'notify', ack: undefined });
    expect(notify.text).toBe('[SEV1] Checkout down');
    expect(notify.blocks.some((b) => b.type === 'actions')).toBe(false);

    const bare = slackContent({ kind: 'page', text: 'Disk full on db-1', ack: page.ack });
    expect(bare.blocks.map((b) => b.type)).toEqual(['header', 'section']);
    expect(JSON.stringify(bare.blocks[1])).toContain('<https://tocsin.example/ack/tok123|Acknowledge>');
  });

  it('keeps within Slack limits and escapes what mrkdwn would interpret', () => {
    const incident = { id: 'i1', title: 'y'.repeat(400), severity: 'SEV2', state: 'triggered' };
    const long = slackContent({ kind: 'notify', text: 'x'.repeat(5000), incident });
    const header = long.blocks[0] as { text: { text: string } };
    const section = long.blocks[1] as { text: { text: string } };
    expect(header.text.text).toHaveLength(150);
    expect(section.text.text).toHaveLength(3000);
    expect(slackEscape('<!channel> & <@U1>')).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt;');
  });
});

describe('the Slack provider against the fake Web API', () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await startFakeSlack({
      channels: { incidents: 'C0INCIDENT', 'private-ops': 'C0PRIVATE' },
      notInChannel: ['C0PRIVATE'],
    });
  });
  afterAll(() => slack.close());

  const provider = () => slackProvider(slackApi({ token: slack.token, apiUrl: slack.apiUrl }));

  it('posts Block Kit with the bot token and answers channel/ts as the provider id', async () => {
    const result = await provider().send(message('C0INCIDENT'));
    const post = slack.posts.at(-1);
    expect(post).toMatchObject({ channel: 'C0INCIDENT', text: 'Page: [SEV1] Checkout down' });
    expect(result.providerId).toBe(`C0INCIDENT/${post?.ts}`);
    expect(post?.blocks?.at(-1)).toMatchObject({ type: 'actions' });
    const request = slack.requests.at(-1);
    expect(request?.headers.authorization).toBe(`Bearer ${slack.token}`);
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({ unfurl_links: false, unfurl_media: false });
  });

  it('reads the whole answer, which echoes the message back, also for a long message', async () => {
    const long = { ...page, text: 'é'.repeat(2900) };
    const result = await provider().send(message('C0INCIDENT', long));
    expect(result.providerId).toBe(`C0INCIDENT/${slack.posts.at(-1)?.ts}`);
    expect(slack.requests.at(-1)?.body.length).toBeGreaterThan(3000);
  });

  it('DMs a user id and names the DM conversation Slack answers with', async () => {
    const result = await provider().send(message('U024BE7LH'));
    expect(result.providerId).toMatch(/^D024BE7LH\/\d+\.\d{6}$/);
  });

  it('maps Slack errors: auth and channel problems are permanent', async () => {
    const wrongToken = slackProvider(slackApi({ token: 'xoxb-wrong', apiUrl: slack.apiUrl }));
    const auth = await failure(wrongToken.send(message('C0INCIDENT')));
    expect(auth.message).toBe('Slack invalid_auth (channel C0INCIDENT)');
    expect(auth.retryable).toBe(false);

    const missing = await failure(provider().send(message('#nope')));
    expect(missing).toMatchObject({ message: 'Slack channel_not_found (channel #nope)', retryable: false });

    const notMember = await failure(provider().send(message('#private-ops')));
    expect(notMember).toMatchObject({
      message: 'Slack not_in_channel (channel #private-ops)',
      retryable: false,
    });
  });

  it('retries rate limits and server trouble, with the wait Slack asks for', async () => {
    slack.script({
      status: 429,
      body: { ok: false, error: 'ratelimited' },
      headers: { 'retry-after': '30' },
    });
    const limited = await failure(provider().send(message('C0INCIDENT')));
    expect(limited).toMatchObject({
      message: 'HTTP 429: {"ok":false,"error":"ratelimited"} (retry after 30s)',
    });
    expect(limited.retryable).toBe(true);

    slack.script({ status: 200, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '5' } });
    expect(await failure(provider().send(message('C0INCIDENT')))).toMatchObject({
      message: 'Slack ratelimited (channel C0INCIDENT) (retry after 5s)',
      retryable: true,
    });

    slack.script({ status: 503, body: 'upstream unavailable' });
    expect(await failure(provider().send(message('C0INCIDENT')))).toMatchObject({
      message: 'HTTP 503: upstream unavailable',
      retryable: true,
    });

    slack.script({ status: 200, body: { ok: false, error: 'internal_error' } });
    expect((await failure(provider().send(message('C0INCIDENT')))).retryable).toBe(true);

    slack.script({ status: 200, body: '<html>captive portal</html>' });
    expect(await failure(provider().send(message('C0INCIDENT')))).toMatchObject({
      message: 'Slack an answer that is not Slack JSON (channel C0INCIDENT)',
      retryable: false,
    });
  });

  it('treats an unreachable API as retryable', async () => {
    const gone = await startFakeSlack();
    const apiUrl = gone.apiUrl;
    await gone.close();
    const error = await failure(slackProvider(slackApi({ token: 'xoxb-x', apiUrl })).send(message('C1')));
    expect(error).toMatchObject({ message: 'connection refused', retryable: true });
  });
});
