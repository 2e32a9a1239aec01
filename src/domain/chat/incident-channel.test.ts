import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../../test/fakes/slack.ts';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { Engine } from '../../engine/engine.ts';
import { type OutboxModule, outboxModule } from '../../engine/outbox.ts';
import { workflowEventsModule } from '../../engine/workflow-events.ts';
import { outboundAllowList } from '../../lib/outbound-guard.ts';
import { chatProvider } from '../../notify/providers/chat-webhook.ts';
import { providerRegistry } from '../../notify/providers/provider.ts';
import { slackApi, slackProvider } from '../../notify/providers/slack.ts';
import { slackChannelProvider } from '../../notify/providers/slack-channel.ts';

// The incident's own Slack channel (plan `channel: {platform: slack}`), end to end through the real
// engine (timeline → outbox → providers) against the loopback Slack on a virtual clock: opened under
// the plan's name (suffixed when Slack says name_taken, retried after a 429), the people joining
// invited (Slack member id on file, else users.lookupByEmail), and the card, published updates (internal
// and external) and key events posted there in order once it exists. The API shows the channel.

let t: TestApp;
let slack: FakeSlack;
let outbox: OutboxModule;

const SETUP = `apiVersion: tocsin.dev/v1
kind: User
metadata: { name: noor }
spec:
  name: Noor
  role: responder
  contacts: [{ kind: slack, address: U0NOOR123, label: slack, verified: true }]
---
apiVersion: tocsin.dev/v1
kind: User
metadata: { name: hanna }
spec: { name: Hanna, email: hanna@example.com, role: responder }
---
apiVersion: tocsin.dev/v1
kind: User
metadata: { name: omar }
spec:
  name: Omar
  role: responder
  contacts: [{ kind: slack, address: U0OMAR777, label: slack, verified: true }]
---
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: chatty }
languages: [en, am]
severities: [{ id: SEV1, title: Outage }, { id: SEV2, title: Degraded }]
roles: [{ id: incident-commander, title: IC }, { id: scribe, title: Scribe }]
groups: [{ id: database, title: Database team, users: [omar] }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
channel: { name: "inc-{slug}", platform: slack }
`;

beforeAll(async () => {
  [t, slack] = await Promise.all([
    testApp(),
    startFakeSlack({
      channels: { 'inc-checkout-down': 'C0OLD' },
      users: {
        'noor@example.com': 'U0NOOR123',
        'hanna@example.com': 'U0HANNA99',
        'omar@example.com': 'U0OMAR777',
      },
    }),
  ]);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/apply',
    headers: auth(t.adminToken),
    payload: { documents: [{ file: 'setup.yaml', content: SETUP }] },
  });
  expect(res.statusCode, res.body).toBe(200);
  const api = slackApi({ token: slack.token, apiUrl: slack.apiUrl });
  const chat = chatProvider({
    slack: api,
    policy: { allowPrivate: false, allow: outboundAllowList(['127.0.0.1']) },
  });
  if (!chat) throw new Error('no chat provider');
  outbox = outboxModule({
    providers: providerRegistry([slackProvider(api), slackChannelProvider(api), chat]),
    retry: { maxAttempts: 4 },
  });
});
afterAll(async () => {
  await Promise.all([t.close(), slack.close()]);
});

/** Engine passes until one queues and sends nothing (posts wait for the pass after their channel opened). */
async function tick() {
  const engine = new Engine({ db: t.db, clock: t.clock, log: pino({ level: 'silent' }) }, [
    workflowEventsModule(),
    outbox,
  ]);
  for (let pass = 0; pass < 10; pass++) {
    const before = slack.requests.length;
    await engine.runUntilIdle();
    await outbox.idle();
    if (slack.requests.length === before) return;
  }
}

async function call(method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await t.app.inject({
    method,
    url,
    headers: auth(t.adminToken),
    ...(payload ? { payload } : {}),
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

describe('the incident Slack channel', () => {
  it('opens, invites and posts the card, updates and key events through the outbox', async () => {
    // Slack is rate-limiting: the first conversations.create answers 429 with Retry-After.
    slack.script({
      status: 429,
      headers: { 'retry-after': '20' },
      body: { ok: false, error: 'ratelimited' },
    });
    const { incident } = await call('POST', '/api/v1/incidents', {
      plan: 'chatty',
      severity: 'SEV2',
      title: 'Checkout down',
      summary: 'Payments fail <b>for all</b>',
    });
    await call('POST', `/api/v1/incidents/${incident.id}/roles`, {
      role: 'incident-commander',
      user: 'noor',
    });
    await tick();
    // Nothing posted or invited while the channel is not open yet: they wait for it.
    expect(slack.created).toEqual([]);
    expect(slack.posts).toEqual([]);
    let detail = await call('GET', `/api/v1/incidents/${incident.id}`);
    expect(detail.chat_channel).toMatchObject({
      platform: 'slack',
      status: 'opening',
      id: null,
      name: 'inc-checkout-down',
    });
    expect(detail.chat_channel.error).toContain('429');

    t.clock.advance(31_000);
    await tick();
    // The planned name is taken in Slack: the channel opens suffixed, and the API says so.
    expect(slack.created.map((c) => c.name)).toEqual(['inc-checkout-down-2']);
    const channel = slack.created[0];
    if (!channel) throw new Error('no channel');
    detail = await call('GET', `/api/v1/incidents/${incident.id}`);
    expect(detail.chat_channel).toMatchObject({
      status: 'open',
      id: channel.id,
      name: 'inc-checkout-down-2',
    });
    expect(channel.members).toContain('U0NOOR123');

    await call('POST', `/api/v1/incidents/${incident.id}/roles`, { role: 'scribe', user: 'hanna' });
    // A responder group: its members are invited like role holders.
    await call('POST', `/api/v1/incidents/${incident.id}/responders`, { responder: 'database' });
    await call('POST', `/api/v1/incidents/${incident.id}/updates`, {
      audience: 'internal',
      bodies: { en: 'Rolled back the deploy', am: 'ማሰማራቱን መለስን' },
    });
    await call('POST', `/api/v1/incidents/${incident.id}/updates`, {
      audience: 'external',
      bodies: { en: 'Checkout is failing; we are on it', am: 'ክፍያ አይሰራም፤ እየሰራንበት ነው' },
    });
    await call('POST', `/api/v1/incidents/${incident.id}/severity`, {
      severity: 'SEV1',
      reason: 'all regions',
    });
    await call('POST', `/api/v1/incidents/${incident.id}/resolve`, { resolution: 'fixed' });
    await tick();
    // Hanna has no Slack id on file: found by her email.
    // Invites are sent in parallel: their order in Slack is not asserted.
    expect([...channel.members].sort()).toEqual(['U0BOT', 'U0HANNA99', 'U0NOOR123', 'U0OMAR777']);
    const lookups = slack.requests.filter((r) => r.url.endsWith('/users.lookupByEmail'));
    expect(lookups.map((r) => r.body)).toEqual(['email=hanna%40example.com']);

    const here = slack.posts.filter((p) => p.answeredChannel === channel.id);
    expect(here.length).toBe(slack.posts.length);
    const card = here.find((p) => JSON.stringify(p.blocks).includes('declared: [SEV2] Checkout down'));
    const sections = JSON.stringify(card?.blocks);
    expect(sections).toContain('Payments fail &lt;b&gt;for all&lt;/b&gt;');
    expect(sections).toContain(`/incidents/${incident.id}`);
    const bodies = here.map((p) => JSON.stringify(p.blocks));
    // Each is posted once (sends run in parallel, so their order in Slack is not asserted).
    const found = [
      'noor is now incident-commander',
      'hanna is now scribe',
      'Rolled back the deploy',
      'Status page update',
      'Severity SEV2 → SEV1: all regions',
      'Resolved by',
    ].map((s) => bodies.filter((b) => b.includes(s)).length);
    expect(found).toEqual([1, 1, 1, 1, 1, 1]);
    // The published external update, in every language, as the status page shows it.
    const external = bodies.find((b) => b.includes('Status page update'));
    expect(external).toContain('Checkout is failing; we are on it');
    expect(external).toContain('ክፍያ አይሰራም፤ እየሰራንበት ነው');
    expect(bodies.find((b) => b.includes('Rolled back'))).toContain('ማሰማራቱን መለስን');

    // Every request carried the bot token; the second tick created nothing twice.
    expect(slack.requests.every((r) => r.headers.authorization === `Bearer ${slack.token}`)).toBe(true);
    await tick();
    expect(slack.created).toHaveLength(1);
  });

  it('opens nothing for a plan without a Slack channel', async () => {
    await call('POST', '/api/v1/apply', {
      documents: [
        {
          file: 'p.yaml',
          content: SETUP.split('---').at(-1)?.replace('chatty', 'quiet').replace(', platform: slack', ''),
        },
      ],
    });
    const { incident } = await call('POST', '/api/v1/incidents', {
      plan: 'quiet',
      severity: 'SEV2',
      title: 'Quiet',
    });
    await tick();
    expect((await call('GET', `/api/v1/incidents/${incident.id}`)).chat_channel).toBeNull();
    expect(slack.created).toHaveLength(1);
  });
});
