import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { KyselyPlugin } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { applyDeclaredContacts } from '../domain/contacts/apply-declared-contacts.ts';
import { makeCtx, SYSTEM_ACTOR } from '../domain/context.ts';
import { enqueueNotification } from '../domain/notifications/enqueue.ts';
import { claimDueOutbox } from '../domain/notifications/queries.ts';
import { acknowledgeByCode } from '../domain/paging/acknowledge-page.ts';
import { pageManually } from '../domain/paging/page-manually.ts';
import { acknowledge, applyPlan, declareIncident } from '../domain/workflows/testing.ts';
import { type Provider, providerRegistry } from '../notify/providers/provider.ts';
import { isRetryableStatus, signWebhook, webhookProvider } from '../notify/providers/webhook.ts';
import { Engine } from './engine.ts';
import { engineModules } from './modules.ts';
import { type OutboxModule, outboxModule } from './outbox.ts';

// Outbox delivery end to end: a real Fastify receiver on 127.0.0.1 that checks the Standard Webhooks
// signature itself (its own HMAC, not Tocsin's code), the engine on a virtual clock for retries.

const SECRET = `whsec_${Buffer.from('tocsin-test-webhook-secret-0123').toString('base64')}`;
const SECOND = 1000;
let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');

// path → how it answers; every request is recorded with whether its signature verified.
const answers: Record<string, number[]> = {};
const received: { path: string; id: string; verified: boolean; body: unknown }[] = [];
const receiver = Fastify();
let base = '';

function verify(headers: Record<string, unknown>, body: string): boolean {
  const id = String(headers['webhook-id']);
  const ts = String(headers['webhook-timestamp']);
  const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .some((sig) => {
      const [version, mac] = sig.split(',');
      const got = Buffer.from(mac ?? '', 'base64');
      return version === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
    });
}

function modules(allowPrivate = true, retry = { maxAttempts: 4 }): OutboxModule {
  const providers = providerRegistry([webhookProvider({ secret: SECRET, policy: { allowPrivate } })]);
  return outboxModule({ providers, retry, leaseMs: 60 * SECOND });
}

async function run(
  module: OutboxModule,
  engines: Engine[] = [new Engine({ db: t.db, clock, log: pino({ level: 'silent' }) }, [module])],
) {
  await Promise.all(engines.map((e) => e.runUntilIdle()));
  await module.idle();
}

async function queue(path: string, channel = 'webhook', key = `${path}-${Math.random()}`) {
  const id = await enqueueNotification(
    t.db,
    {
      incidentId: null,
      channel,
      destination: `${base}${path}`,
      template: 'incident.declared',
      payload: { path },
      dedupKey: key,
    },
    clock.now(),
  );
  if (!id) throw new Error('not queued');
  return id;
}

const systemCtx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);

const row = (id: string) =>
  t.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

beforeAll(async () => {
  receiver.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );
  receiver.post('/*', async (request, reply) => {
    const raw = String(request.body);
    received.push({
      path: request.url,
      id: String(request.headers['webhook-id']),
      verified: verify(request.headers, raw),
      body: JSON.parse(raw),
    });
    const status = answers[request.url]?.shift() ?? 200;
    return reply.status(status).send('');
  });
  await receiver.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
  t = await freshDb();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

const hits = (path: string) => received.filter((r) => r.path === path);

describe('outbox delivery', () => {
  it('posts a signed Standard Webhooks message and records it sent', async () => {
    const id = await queue('/ok');
    await run(modules());
    const [hit] = hits('/ok');
    expect(hit).toMatchObject({ id: `msg_${id}`, verified: true });
    expect(hit?.body).toMatchObject({ type: 'incident.declared', data: { path: '/ok' } });
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 1, provider_id: `msg_${id}` });
    expect((await row(id)).sent_at).toEqual(clock.now());
  });

  it('retries a 5xx with backoff, then sends', async () => {
    answers['/flaky'] = [503, 429];
    const id = await queue('/flaky');
    const m = modules();
    await run(m);
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 503' });
    expect((await row(id)).next_attempt_at).toEqual(new Date(clock.now().getTime() + 30 * SECOND));
    clock.advance(29 * SECOND);
    await run(m);
    expect(hits('/flaky')).toHaveLength(1);
    clock.advance(SECOND);
    await run(m);
    // 429 is retryable too; the second wait is twice the first.
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 2, last_error: 'HTTP 429' });
    expect((await row(id)).next_attempt_at).toEqual(new Date(clock.now().getTime() + 60 * SECOND));
    clock.advance(60 * SECOND);
    await run(m);
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 3 });
    expect(hits('/flaky').every((h) => h.id === `msg_${id}` && h.verified)).toBe(true);
  });

  it('dead-letters a permanent failure at once, and a retryable one after the last attempt', async () => {
    answers['/gone'] = [410];
    answers['/down'] = [500, 500, 500, 500, 500];
    const gone = await queue('/gone');
    const down = await queue('/down');
    const m = modules(true, { maxAttempts: 3 });
    for (let i = 0; i < 5; i++) {
      await run(m);
      clock.advance(3_600 * SECOND);
    }
    expect(await row(gone)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'HTTP 410' });
    expect(await row(down)).toMatchObject({ status: 'failed', attempts: 3, last_error: 'HTTP 500' });
    expect(hits('/gone')).toHaveLength(1);
    expect(hits('/down')).toHaveLength(3);
  });

  it('sends each message exactly once however many engines tick', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => queue(`/many/${i}`)));
    const ms = [modules(), modules(), modules()];
    const engines = ms.map((m) => new Engine({ db: t.db, clock }, [m]));
    await Promise.all(engines.map((e) => e.runUntilIdle()));
    await Promise.all(ms.map((m) => m.idle()));
    for (const id of ids) {
      expect(received.filter((r) => r.id === `msg_${id}`)).toHaveLength(1);
      expect(await row(id)).toMatchObject({ status: 'sent', attempts: 1 });
    }
    // Even without the engine's advisory lock: parallel claims skip each other's rows.
    const more = await Promise.all(Array.from({ length: 10 }, (_, i) => queue(`/more/${i}`)));
    const lease = new Date(clock.now().getTime() + 60 * SECOND);
    const claims = await Promise.all(
      [1, 2, 3].map(() =>
        t.db.transaction().execute((tx) => claimDueOutbox(tx, clock.now(), ['webhook'], 100, lease, 4)),
      ),
    );
    const claimed = claims.flat().map((r) => r.id);
    expect(claimed.sort()).toEqual([...more].sort());
  });

  it('reclaims a message whose worker died once its lease runs out', async () => {
    // The /more rows above were claimed without a worker: they are `sending` with a 60s lease.
    const orphan = (
      await t.db.selectFrom('outbox').select('id').where('status', '=', 'sending').execute()
    ).map((r) => r.id);
    expect(orphan).toHaveLength(10);
    const m = modules();
    await run(m);
    expect(received.filter((r) => r.path.startsWith('/more/'))).toHaveLength(0);
    clock.advance(60 * SECOND);
    await run(m);
    for (const id of orphan) expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  /** Paging's own engine modules without delivery: escalations and tiers queue pages, none is sent. */
  const paging = () =>
    new Engine({ db: t.db, clock, log: pino({ level: 'silent' }) }, engineModules({ deliver: false }));
  /** A person reached by a verified push contact at once, set as `tocsin apply` of a User sets it. */
  const pushUser = async (handle: string) => {
    await addUser(systemCtx(), handle, { email: `${handle}@example.com` });
    await applyDeclaredContacts({
      ctx: systemCtx(),
      input: {
        user: handle,
        declared: {
          contacts: [
            { kind: 'push', address: `${handle}-pager`, label: 'pager', verified: true, disabled: false },
          ],
          notificationRules: [{ contact: 'pager', after: '0m' }],
        },
      },
    });
  };
  /** The outbox module delivering push messages to a recorder: which outbox rows went out. */
  const pushModule = () => {
    const pushed: string[] = [];
    const push: Provider = {
      channel: 'push',
      send: async (message) => {
        pushed.push(message.id);
        return { providerId: `push-${message.id}` };
      },
    };
    return { pushed, module: outboxModule({ providers: providerRegistry([push]), leaseMs: 60 * SECOND }) };
  };
  /** Claims the due push messages for a worker that then dies: `sending` under a 60 s lease. */
  const claimNoWorker = () =>
    t.db
      .transaction()
      .execute((tx) =>
        claimDueOutbox(tx, clock.now(), ['push'], 100, new Date(clock.now().getTime() + 60 * SECOND), 4),
      );

  it('does not send again a page whose sender died after paging was acknowledged', async () => {
    // Two people paged by hand (`tocsin page user:…`); each page is claimed by a worker that dies.
    const page = async (handle: string) => {
      await pushUser(handle);
      const esc = await pageManually({
        ctx: systemCtx(),
        input: { target: `user:${handle}`, message: 'Database disk at 95%' },
      });
      const queued = await t.db
        .selectFrom('outbox')
        .select(['id', 'payload', 'user_id'])
        .where('escalation_id', '=', esc.id)
        .executeTakeFirstOrThrow();
      const code = (queued.payload as { ack: { code: string } }).ack.code;
      return { esc: esc.id, id: String(queued.id), userId: String(queued.user_id), code };
    };
    const answered = await page('held-answered');
    const unanswered = await page('held-unanswered');
    await claimNoWorker();
    // One of them answers with the page's reply code meanwhile; the other does not.
    clock.advance(SECOND);
    await acknowledgeByCode({ db: t.db, clock }, answered.userId, answered.code);
    clock.advance(60 * SECOND);
    const { pushed, module } = pushModule();
    await run(module);
    // Acknowledged meanwhile: cancelled, like the pages still pending at the acknowledgement.
    expect(await row(answered.id)).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(pushed).not.toContain(answered.id);
    // Nobody answered (its paging goes on): the page still has to reach someone.
    expect(await row(unanswered.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(pushed).toContain(unanswered.id);
    const statuses = await t.db
      .selectFrom('escalations')
      .select(['id', 'status'])
      .where('id', 'in', [answered.esc, unanswered.esc])
      .execute();
    expect(Object.fromEntries(statuses.map((e) => [String(e.id), e.status]))).toEqual({
      [answered.esc]: 'acknowledged',
      [unanswered.esc]: 'active',
    });
  });

  it('does not send again a page queued before its incident was acknowledged, once its sender died', async () => {
    await pushUser('tier-one');
    await pushUser('tier-two');
    await applyPlan(
      t.db,
      clock,
      `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: outbox-held }
severities: [{ id: SEV1, title: Outage }]
groups:
  - { id: first-line, title: First line, users: [tier-one] }
  - { id: second-line, title: Second line, users: [tier-two] }
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
escalation:
  tiers:
    - { id: L1, after: 0m, notify: [first-line] }
    - { id: L2, after: 30m, notify: [second-line] }
`,
    );
    const engine = paging();
    const incident = await declareIncident(t.db, { plan: 'outbox-held', severity: 'SEV1', at: clock.now() });
    await engine.runUntilIdle();
    // A duration tier stays active after an acknowledgement (it pages later tiers as new steps).
    const tierPage = async (handle: string) => {
      const found = await t.db
        .selectFrom('outbox')
        .innerJoin('users', 'users.id', 'outbox.user_id')
        .innerJoin('escalations', 'escalations.id', 'outbox.escalation_id')
        .select(['outbox.id', 'escalations.kind'])
        .where('outbox.incident_id', '=', incident)
        .where('users.handle', '=', handle)
        .executeTakeFirstOrThrow();
      expect(found.kind).toBe('duration');
      return String(found.id);
    };
    const before = await tierPage('tier-one');
    await claimNoWorker();
    clock.advance(SECOND);
    await acknowledge(t.db, incident, clock.now());
    clock.advance(30 * 60 * SECOND);
    await engine.runUntilIdle();
    const after = await tierPage('tier-two');
    await claimNoWorker();
    clock.advance(60 * SECOND);
    const { pushed, module } = pushModule();
    await run(module);
    expect(await row(before)).toMatchObject({ status: 'cancelled' });
    expect(pushed).not.toContain(before);
    // Queued after the acknowledgement (a later tier): it goes out.
    expect(await row(after)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(pushed).toContain(after);
  });

  it('records a message that went out while the store failed, once the store answers again', async () => {
    let failures = 0;
    // The store fails the next `failures` updates: those recording the outcome of the send.
    const flakyStore: KyselyPlugin = {
      transformQuery(args) {
        if (failures > 0 && args.node.kind === 'UpdateQueryNode') {
          failures--;
          throw new Error('Connection terminated unexpectedly');
        }
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const sent: string[] = [];
    const push: Provider = {
      channel: 'push',
      async send(message) {
        sent.push(message.id);
        failures = 2;
        return { providerId: `push-${message.id}` };
      },
    };
    const m = outboxModule({ providers: providerRegistry([push]), leaseMs: 60 * SECOND });
    const id = await queue('/store-down', 'push');
    await run(m, [new Engine({ db: t.db.withPlugin(flakyStore), clock }, [m])]);
    expect(failures).toBe(0);
    expect(sent).toEqual([id]);
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 1, provider_id: `push-${id}` });
  });

  it('spends no attempt when the store fails to say where a chat post goes: it is sent once the store answers', async () => {
    // A post to the incident's own channel reads the store for the channel Tocsin opened (its id)
    // before the send. Before, that read sat inside the send's try: the store's failure counted as
    // the provider's, and on the last attempt the post was dead-lettered without ever being sent.
    await applyPlan(
      t.db,
      clock,
      `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: outbox-chat }
severities: [{ id: SEV1, title: Outage }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
`,
    );
    const incident = await declareIncident(t.db, { plan: 'outbox-chat', severity: 'SEV1', at: clock.now() });
    const id = await enqueueNotification(
      t.db,
      {
        incidentId: incident,
        channel: 'chat',
        destination: '#inc-checkout',
        payload: { kind: 'update', text: 'Mitigated' },
        dedupKey: `chat-store-down-${incident}`,
      },
      clock.now(),
    );
    if (!id) throw new Error('not queued');
    let storeDown = true;
    // The store fails the incident-channel read (findIncidentChannel) while it is down.
    const flakyStore: KyselyPlugin = {
      transformQuery(args) {
        if (storeDown && JSON.stringify(args.node).includes('incident-channel:')) {
          throw new Error('Connection terminated unexpectedly');
        }
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const posted: { id: string; destination: string }[] = [];
    const chat: Provider = {
      channel: 'chat',
      async send(message) {
        posted.push({ id: message.id, destination: message.destination });
        return { providerId: `chat-${message.id}` };
      },
    };
    // Its first attempt is its last.
    const m = outboxModule({
      providers: providerRegistry([chat]),
      retry: { maxAttempts: 1 },
      leaseMs: 60 * SECOND,
    });
    const engine = new Engine({ db: t.db.withPlugin(flakyStore), clock, log: pino({ level: 'silent' }) }, [
      m,
    ]);
    await run(m, [engine]);
    expect(posted).toEqual([]);
    const deferred = await row(id);
    expect(deferred).toMatchObject({ status: 'pending', attempts: 0 });
    expect(deferred.last_error).toMatch(/^not sent: the store did not answer/);
    expect(deferred.next_attempt_at).toEqual(new Date(clock.now().getTime() + 30 * SECOND));

    storeDown = false;
    clock.advance(30 * SECOND);
    await run(m, [engine]);
    expect(posted).toEqual([{ id, destination: '#inc-checkout' }]);
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 1, provider_id: `chat-${id}` });
  });

  it('refuses a private target unless allowed, without sending anything', async () => {
    const id = await queue('/private');
    await run(modules(false));
    expect(hits('/private')).toHaveLength(0);
    const r = await row(id);
    expect(r).toMatchObject({ status: 'failed', attempts: 1 });
    expect(r.last_error).toMatch(/loopback.*TOCSIN_ALLOW_PRIVATE_WEBHOOKS/);
  });

  it('leaves messages of channels without a provider pending', async () => {
    const id = await queue('/chat', 'chat');
    await run(modules());
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 0 });
  });
});

describe('webhook signature', () => {
  it('matches the Standard Webhooks reference vector', () => {
    const signature = signWebhook(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('retries 5xx, 408 and 429 only', () => {
    expect([500, 503, 408, 429].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 404, 410, 422].some(isRetryableStatus)).toBe(false);
  });
});
