import type { KyselyPlugin } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { LOCKS, tryAdvisoryXactLock } from '../db/locks.ts';
import { batchedRecorder } from '../domain/notifications/deliver-message.ts';
import { enqueueNotification } from '../domain/notifications/enqueue.ts';
import {
  claimDueOutbox,
  holdClaims,
  recordOutboxAttempt,
  recordOutboxAttempts,
} from '../domain/notifications/queries.ts';
import { type Provider, providerRegistry } from '../notify/providers/provider.ts';
import { Engine } from './engine.ts';
import { outboxModule } from './outbox.ts';

// The outbox's batched paths (issue 5, engine throughput): one statement checks a batch's claims, one
// statement records many outcomes, and a module whose window of sends was full claims again as sends
// finish instead of waiting for the engine's next pass.

let t: TestDb;
const clock = new VirtualClock('2026-03-03T10:00:00Z');
const SECOND = 1000;

async function queue(n: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = await enqueueNotification(
      t.db,
      {
        incidentId: null,
        channel: 'push',
        destination: `topic-${prefix}`,
        payload: { kind: 'page', text: `${prefix} ${i}` },
        dedupKey: `${prefix}-${i}`,
      },
      clock.now(),
    );
    if (!id) throw new Error('not queued');
    ids.push(id);
  }
  return ids;
}

const claim = (limit = 100) =>
  t.db
    .transaction()
    .execute((tx) =>
      claimDueOutbox(tx, clock.now(), ['push'], limit, new Date(clock.now().getTime() + 60 * SECOND), 4),
    );

const rows = (ids: string[]) =>
  t.db.selectFrom('outbox').selectAll().where('id', 'in', ids).orderBy('id').execute();

/** Counts the UPDATE statements sent through the returned db. */
function countingUpdates() {
  const counter = { updates: 0, fail: 0 };
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      if (args.node.kind === 'UpdateQueryNode') {
        counter.updates++;
        if (counter.fail > 0) {
          counter.fail--;
          throw new Error('Connection terminated unexpectedly');
        }
      }
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: t.db.withPlugin(plugin), counter };
}

beforeAll(async () => {
  t = await freshDb();
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.db.deleteFrom('outbox').execute();
});

describe('batched claim checks and outcome records', () => {
  it('holdClaims keeps only committed claims of the same attempt', async () => {
    const ids = await queue(3, 'held');
    const claimed = await claim();
    const [a, b, c] = claimed.map((r) => r.id) as [string, string, string];
    // b was taken over by a later claim (attempt 2); c was never claimed by us (an unknown attempt).
    await t.db.updateTable('outbox').set({ attempts: 2 }).where('id', '=', b).execute();
    const held = await holdClaims(
      t.db,
      new Map([
        [a, 1],
        [b, 1],
        [c, 7],
      ]),
    );
    expect([...held]).toEqual([a]);
    expect(ids.sort()).toEqual([a, b, c].sort());
    expect(await holdClaims(t.db, new Map())).toEqual(new Set());
  });

  it('recordOutboxAttempts writes each outcome in one statement, skipping superseded attempts', async () => {
    const ids = await queue(4, 'record');
    await claim();
    const [sent, retry, failed, superseded] = ids as [string, string, string, string];
    await t.db.updateTable('outbox').set({ attempts: 2 }).where('id', '=', superseded).execute();
    const retryAt = new Date(clock.now().getTime() + 30 * SECOND);
    const { db, counter } = countingUpdates();
    const recorded = await recordOutboxAttempts(db, [
      { id: sent, attempt: 1, outcome: { status: 'sent', providerId: 'p-1', at: clock.now() } },
      { id: retry, attempt: 1, outcome: { status: 'pending', error: 'HTTP 503', retryAt } },
      { id: failed, attempt: 1, outcome: { status: 'failed', error: 'HTTP 404' } },
      { id: superseded, attempt: 1, outcome: { status: 'sent', providerId: 'p-4', at: clock.now() } },
    ]);
    expect(counter.updates).toBe(1);
    expect([...recorded].sort()).toEqual([sent, retry, failed].sort());
    const [r1, r2, r3, r4] = await rows(ids);
    expect(r1).toMatchObject({ status: 'sent', provider_id: 'p-1', sent_at: clock.now(), last_error: null });
    expect(r2).toMatchObject({ status: 'pending', last_error: 'HTTP 503', next_attempt_at: retryAt });
    expect(r2?.sent_at).toBeNull();
    expect(r3).toMatchObject({ status: 'failed', last_error: 'HTTP 404', provider_id: null });
    expect(r4).toMatchObject({ status: 'sending', attempts: 2, provider_id: null });
    expect(await recordOutboxAttempts(t.db, [])).toEqual(new Set());
  });

  it('gives an unsent outcome’s attempt back, in a batch and alone', async () => {
    // deliverMessage's outcome when the store failed before anything was sent (outbox.test.ts).
    const ids = await queue(3, 'unsent');
    await claim();
    const [batched, plain, single] = ids as [string, string, string];
    const retryAt = new Date(clock.now().getTime() + 30 * SECOND);
    const unsent = {
      status: 'pending' as const,
      error: 'not sent: the store did not answer',
      retryAt,
      unsent: true,
    };
    const recorded = await recordOutboxAttempts(t.db, [
      { id: batched, attempt: 1, outcome: unsent },
      { id: plain, attempt: 1, outcome: { status: 'pending', error: 'HTTP 503', retryAt } },
    ]);
    expect(recorded).toEqual(new Set([batched, plain]));
    expect(await recordOutboxAttempt(t.db, single, 1, unsent)).toBe(true);
    expect((await rows(ids)).map((r) => [r.status, r.attempts, r.next_attempt_at])).toEqual([
      ['pending', 0, retryAt],
      ['pending', 1, retryAt],
      ['pending', 0, retryAt],
    ]);
  });

  it('batchedRecorder writes outcomes together, and fails each outcome of a failed write', async () => {
    const ids = await queue(10, 'group');
    await claim();
    const { db, counter } = countingUpdates();
    const record = batchedRecorder(db);
    const sent = (id: string) => ({
      id,
      attempt: 1,
      outcome: { status: 'sent' as const, providerId: `p-${id}`, at: clock.now() },
    });
    const results = await Promise.all(ids.map((id) => record(sent(id))));
    expect(results).toEqual(ids.map(() => true));
    // Outcomes of one turn of the event loop go in one statement.
    expect(counter.updates).toBe(1);
    expect((await rows(ids)).every((r) => r.status === 'sent')).toBe(true);
    // Already recorded: not this attempt's any more.
    expect(await record(sent(ids[0] as string))).toBe(false);
    counter.fail = 1;
    await expect(record(sent(ids[1] as string))).rejects.toThrow('Connection terminated');
    expect(await record(sent(ids[1] as string))).toBe(false);
  });

  it('records an outcome carrying a receiver’s NUL byte, and its batch with it (no resend after the lease)', async () => {
    // A receiver's answer is stored as its words (post-json.ts httpFailure: the body's first 200
    // characters) or its id (chat-webhook.ts: Discord's id). PostgreSQL's text takes no NUL byte: the
    // write failed, and with it every outcome batched beside it, each time they were tried again —
    // until their leases ran out and another claim sent every one of those messages a second time.
    const ids = await queue(4, 'nul');
    await claim();
    const [poisonSent, poisonRetry, plainSent, plainFailed] = ids as [string, string, string, string];
    const record = batchedRecorder(t.db);
    const retryAt = new Date(clock.now().getTime() + 30 * SECOND);
    const results = await Promise.allSettled([
      record({
        id: poisonSent,
        attempt: 1,
        outcome: { status: 'sent', providerId: 'discord/1\u00002', at: clock.now() },
      }),
      record({
        id: poisonRetry,
        attempt: 1,
        outcome: { status: 'pending', error: 'HTTP 500: bad\u0000body', retryAt },
      }),
      record({ id: plainSent, attempt: 1, outcome: { status: 'sent', providerId: 'p-3', at: clock.now() } }),
      record({ id: plainFailed, attempt: 1, outcome: { status: 'failed', error: 'HTTP 404' } }),
    ]);
    expect(results).toEqual(ids.map(() => ({ status: 'fulfilled', value: true })));
    const [r1, r2, r3, r4] = await rows(ids);
    expect(r1).toMatchObject({ status: 'sent', provider_id: 'discord/1\uFFFD2' });
    expect(r2).toMatchObject({
      status: 'pending',
      last_error: 'HTTP 500: bad\uFFFDbody',
      next_attempt_at: retryAt,
    });
    expect(r3).toMatchObject({ status: 'sent', provider_id: 'p-3' });
    expect(r4).toMatchObject({ status: 'failed', last_error: 'HTTP 404' });
    // The single-statement path (deliverMessage without a batched recorder) too.
    const [single] = await queue(1, 'nul-single');
    await claim();
    expect(
      await recordOutboxAttempt(t.db, single as string, 1, { status: 'failed', error: 'SMTP 550 \u0000' }),
    ).toBe(true);
    expect((await rows([single as string]))[0]).toMatchObject({
      status: 'failed',
      last_error: 'SMTP 550 \uFFFD',
    });
  });
});

describe('a full window of sends', () => {
  /** A push provider whose sends finish when released. */
  function slowPush() {
    const sent: string[] = [];
    const waiting: (() => void)[] = [];
    const provider: Provider = {
      channel: 'push',
      send: (message) =>
        new Promise((resolve) => {
          waiting.push(() => {
            sent.push(message.id);
            resolve({ providerId: `push-${message.id}` });
          });
        }),
    };
    /** Lets every waiting send finish (and those that start meanwhile) until `count` went out. */
    const releaseUntil = async (count: number) => {
      while (sent.length < count) {
        for (const release of waiting.splice(0)) release();
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    return { provider, sent, releaseUntil };
  }

  it('claims again as sends finish, without another engine pass', async () => {
    const ids = await queue(10, 'window');
    const push = slowPush();
    const module = outboxModule({ providers: providerRegistry([push.provider]), maxInFlight: 3 });
    const engine = new Engine({ db: t.db, clock, log: pino({ level: 'silent' }) }, [module]);
    const [first] = await engine.tick();
    expect(first?.handled).toBe(3);
    await push.releaseUntil(10);
    await module.idle();
    expect(push.sent.sort()).toEqual([...ids].sort());
    expect((await rows(ids)).every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
  });

  it('leaves the claim to the engine tick that holds the module lock', async () => {
    const ids = await queue(4, 'locked');
    const push = slowPush();
    const module = outboxModule({ providers: providerRegistry([push.provider]), maxInFlight: 2 });
    const engine = new Engine({ db: t.db, clock, log: pino({ level: 'silent' }) }, [module]);
    await engine.tick();
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let locked: () => void = () => {};
    const lockTaken = new Promise<void>((r) => {
      locked = r;
    });
    // Another instance's tick of the outbox module holds its lock while our two sends finish.
    const other = t.db.transaction().execute(async (tx) => {
      expect(await tryAdvisoryXactLock(tx, LOCKS.engineModuleBase + 40)).toBe(true);
      locked();
      await held;
    });
    await lockTaken;
    await push.releaseUntil(2);
    await module.idle();
    const statuses = (await rows(ids)).map((r) => r.status).sort();
    expect(statuses).toEqual(['pending', 'pending', 'sent', 'sent']);
    release();
    await other;
    // The next pass claims the rest.
    await engine.runUntilIdle();
    await push.releaseUntil(4);
    await module.idle();
    expect((await rows(ids)).every((r) => r.status === 'sent')).toBe(true);
  });
});
