import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHeader, FakeNtfy, parseActions } from '../../../test/fakes/ntfy.ts';
import { loadEnv } from '../../config/env.ts';
import type { NotificationPayload } from '../message.ts';
import { ntfyHeaderValue, ntfyProvider, ntfyProviderFromEnv, ntfyRequest } from './ntfy.ts';
import type { OutboundMessage } from './provider.ts';
import { deliveryFailure } from './testing.ts';

// The ntfy provider against the loopback fake of ntfy's publish API, with an access token required.

const TOKEN = 'tk_testtoken0123456789abcdefghij';
let ntfy: FakeNtfy;

beforeAll(async () => {
  ntfy = await FakeNtfy.start({ token: TOKEN });
});
afterAll(() => ntfy.close());

const provider = (token: string | null = TOKEN) =>
  ntfyProvider({ baseUrl: `${ntfy.url}/`, token: token ?? undefined });

function message(destination: string, payload: NotificationPayload, id = '7'): OutboundMessage {
  const now = new Date('2026-03-02T10:00:00Z');
  return { id, channel: 'push', destination, template: null, payload, createdAt: now, attempt: 1, now };
}

const page: NotificationPayload = {
  kind: 'page',
  text: 'Checkout is down\nPayments fail for 30% of users',
  subject: 'SEV1 · Checkout — down ✓',
  incident: {
    id: 'inc-7',
    title: 'Checkout down',
    severity: 'SEV1',
    state: 'open',
    url: 'https://tocsin.example/incidents/inc-7',
  },
  ack: { url: 'https://tocsin.example/ack/abc?x=1,2', code: '4821' },
};

const failure = deliveryFailure;

describe('ntfy provider', () => {
  it('publishes a page with priority 5, tags, click URL and an Acknowledge action', async () => {
    const result = await provider().send(message('oncall-alice_1', page));
    const got = ntfy.published.at(-1);
    expect(result.providerId).toBe(got?.id);
    expect(result.providerId).toMatch(/^[\w-]{12}$/);
    expect(got).toMatchObject({
      topic: 'oncall-alice_1',
      message: 'Checkout is down\nPayments fail for 30% of users',
      // Non-ASCII travels as an RFC 2047 encoded-word and arrives intact.
      title: 'SEV1 · Checkout — down ✓',
      priority: 5,
      tags: ['rotating_light', 'sev1'],
      click: 'https://tocsin.example/incidents/inc-7',
      authorization: `Bearer ${TOKEN}`,
      // The comma inside the URL survives ntfy's comma-separated action syntax.
      actions: [
        { action: 'view', label: 'Acknowledge', url: 'https://tocsin.example/ack/abc?x=1,2', clear: true },
      ],
    });
    // The outbox id travels along, so a receiver can drop a retried duplicate.
    expect(got?.raw.headers['x-tocsin-message']).toBe('7');
  });

  it('publishes other kinds at default priority without an action button', async () => {
    await provider().send(
      message('team-feed', {
        kind: 'notify',
        text: 'Incident resolved',
        ack: { url: 'https://x.example/a', code: '1' },
      }),
    );
    expect(ntfy.published.at(-1)).toMatchObject({
      topic: 'team-feed',
      title: 'Incident resolved',
      priority: 3,
      tags: ['bell'],
      actions: [],
    });
    await provider().send(
      message('alice', { kind: 'verify', text: 'Confirm your push topic', code: '551-903' }),
    );
    expect(ntfy.published.at(-1)?.message).toBe('Confirm your push topic\nCode: 551-903');
  });

  it('maps ntfy errors: 401/403 permanent with ntfy’s reason, 429 and 5xx retryable', async () => {
    const denied = await failure(provider('tk_wrong').send(message('alice', page)));
    expect(denied.retryable).toBe(false);
    expect(denied.message).toBe('ntfy HTTP 401 40101: unauthorized');
    const anonymous = await failure(provider(null).send(message('alice', page)));
    expect(anonymous).toMatchObject({ retryable: false, message: 'ntfy HTTP 403 40301: forbidden' });
    ntfy.failNext(429);
    expect((await failure(provider().send(message('alice', page)))).retryable).toBe(true);
    ntfy.failNext(502);
    const bad = await failure(provider().send(message('alice', page)));
    expect(bad).toMatchObject({ retryable: true, message: 'ntfy HTTP 502 50201: internal server error' });
  });

  it('refuses a topic ntfy would not accept, without a request', async () => {
    const before = ntfy.published.length;
    for (const topic of ['', 'a/b', '../admin', 'x'.repeat(65), 'with space']) {
      expect((await failure(provider().send(message(topic, page)))).retryable).toBe(false);
    }
    expect(ntfy.published.length).toBe(before);
  });

  it('fails retryably when the server cannot be reached', async () => {
    const down = ntfyProvider({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000 });
    const error = await failure(down.send(message('alice', page)));
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^ntfy: /);
  });
});

describe('ntfy request rendering', () => {
  it('keeps headers to one ASCII line and drops non-http links', () => {
    expect(ntfyHeaderValue('plain title')).toBe('plain title');
    expect(ntfyHeaderValue('two\r\nlines')).toBe('two lines');
    expect(decodeHeader(ntfyHeaderValue('ሰላም — hi'))).toBe('ሰላም — hi');
    const { headers } = ntfyRequest({
      kind: 'page',
      text: 'x',
      incident: { id: '1', title: 't', severity: 'P0', state: 'open', url: 'javascript:alert(1)' },
      ack: { url: 'file:///etc/passwd', code: '1' },
    });
    expect(headers.click).toBeUndefined();
    expect(headers.actions).toBeUndefined();
    for (const value of Object.values(headers)) expect(value).toMatch(/^[\x20-\x7e]*$/);
  });

  it('the fake parses ntfy’s action syntax like ntfy does', () => {
    expect(
      parseActions('view, Open, https://a.example/x; http, Close, https://b.example, clear=true'),
    ).toEqual([
      { action: 'view', label: 'Open', url: 'https://a.example/x' },
      { action: 'http', label: 'Close', url: 'https://b.example', clear: true },
    ]);
    expect(parseActions('view, Open')).toMatch(/url/);
    expect(parseActions('dance, Now, https://a.example')).toMatch(/unknown/);
  });
});

describe('ntfy from the environment', () => {
  it('publishes to the configured server with the configured token', async () => {
    const provider = ntfyProviderFromEnv(loadEnv({ TOCSIN_NTFY_URL: ntfy.url, TOCSIN_NTFY_TOKEN: TOKEN }));
    if (!provider) throw new Error('no provider');
    expect(provider.channel).toBe('push');
    await provider.send(message('env-topic', { kind: 'notify', text: 'from env' }));
    expect(ntfy.published.at(-1)).toMatchObject({ topic: 'env-topic', authorization: `Bearer ${TOKEN}` });
    // Not configured, push is off: nothing goes to a public server unasked.
    expect(ntfyProviderFromEnv(loadEnv({}))).toBeUndefined();
  });
});
