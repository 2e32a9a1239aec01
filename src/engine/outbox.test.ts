import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { KyselyPlugin } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { enqueueNotification } from '../domain/notifications/enqueue.ts';
import { claimDueOutbox } from '../domain/notifications/queries.ts';
import { acknowledge, applyPlan, declareIncident } from '../domain/workflows/testing.ts';
import { type Provider, providerRegistry } from '../notify/providers/provider.ts';
import { isRetryableStatus, signWebhook, webhookProvider } from '../notify/providers/webhook.ts';
import { Engine } from './engine.ts';
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

  it('does not send again a page whose sender died after paging was acknowledged', async () => {
    const escalation = async (status: 'acknowledged' | 'exhausted') => {
      const esc = await t.db
        .insertInto('escalations')
        .values({
          incident_id: null,
          kind: 'paging',
          source: `manual:${status}`,
          steps: '[]',
          channels: '[]',
          message: 'page',
          status: 'active',
          started_at: clock.now(),
          updated_at: clock.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const id = await enqueueNotification(
        t.db,
        {
          incidentId: null,
          channel: 'webhook',
          destination: `${base}/held/${status}`,
          payload: { kind: 'page' },
          dedupKey: `held-${status}`,
          escalationId: esc.id,
        },
        clock.now(),
      );
      return { esc: esc.id, id: String(id) };
    };
    const answered = await escalation('acknowledged');
    const unanswered = await escalation('exhausted');
    // Claimed by a worker that then died: both rows are `sending` under a 60s lease.
    const lease = new Date(clock.now().getTime() + 60 * SECOND);
    await t.db.transaction().execute((tx) => claimDueOutbox(tx, clock.now(), ['webhook'], 100, lease, 4));
    for (const [e, status] of [
      [answered, 'acknowledged'],
      [unanswered, 'exhausted'],
    ] as const) {
      await t.db.updateTable('escalations').set({ status }).where('id', '=', e.esc).execute();
    }
    clock.advance(60 * SECOND);
    await run(modules());
    // Acknowledged meanwhile: cancelled, like the pages still pending at the acknowledgement.
    expect(await row(answered.id)).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(hits('/held/acknowledged')).toHaveLength(0);
    // Nobody answered: the page still has to reach someone.
    expect(await row(unanswered.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(hits('/held/exhausted')).toHaveLength(1);
  });

  it('does not send again a page queued before its incident was acknowledged, once its sender died', async () => {
    const version = await applyPlan(
      t.db,
      clock,
      `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: outbox-held }
severities: [{ id: SEV1, title: Outage }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
`,
    );
    const incident = await declareIncident(t.db, {
      plan: 'outbox-held',
      version,
      severity: 'SEV1',
      at: clock.now(),
    });
    // A duration tier stays active after an acknowledgement (it pages later tiers as new steps).
    const esc = await t.db
      .insertInto('escalations')
      .values({
        incident_id: incident,
        kind: 'duration',
        source: 'tier:L2',
        steps: '[]',
        channels: '[]',
        message: 'page',
        status: 'active',
        started_at: clock.now(),
        updated_at: clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const page = async (name: string) =>
      String(
        await enqueueNotification(
          t.db,
          {
            incidentId: incident,
            channel: 'webhook',
            destination: `${base}/tier/${name}`,
            payload: { kind: 'page' },
            dedupKey: `tier-${name}`,
            escalationId: esc.id,
          },
          clock.now(),
        ),
      );
    const claimNoWorker = () =>
      t.db
        .transaction()
        .execute((tx) =>
          claimDueOutbox(tx, clock.now(), ['webhook'], 100, new Date(clock.now().getTime() + 60 * SECOND), 4),
        );
    const before = await page('before');
    await claimNoWorker();
    clock.advance(SECOND);
    await acknowledge(t.db, incident, clock.now());
    clock.advance(SECOND);
    const after = await page('after');
    await claimNoWorker();
    clock.advance(60 * SECOND);
    await run(modules());
    expect(await row(before)).toMatchObject({ status: 'cancelled' });
    expect(hits('/tier/before')).toHaveLength(0);
    // Queued after the acknowledgement (a later tier): it goes out.
    expect(await row(after)).toMatchObject({ status: 'sent', attempts: 2 });
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
