import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { inTx } from '../db/tx.ts';
import { enqueueNotification } from '../domain/notifications/enqueue.ts';
import { providerRegistry } from '../notify/providers/provider.ts';
import { Engine, type EngineModule } from './engine.ts';
import { outboxModule } from './outbox.ts';
import { listenForWork, type WorkListener } from './wake.ts';

// Wake on new work: with a poll interval of an hour, only the NOTIFY sent at commit (migration 0131)
// can make the engine run its next pass.

let t: TestDb;
let listener: WorkListener | undefined;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
let passes = 0;
const waiters: (() => void)[] = [];
const counting: EngineModule = {
  id: 99,
  name: 'counting',
  async tick() {
    passes++;
    for (const w of waiters.splice(0)) w();
    return 0;
  },
};
const nextPass = () => new Promise<void>((resolve) => waiters.push(resolve));

beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => {
  await listener?.close();
  await t.close();
});

describe('engine wake-up', () => {
  it('runs a pass when work is committed, not only on its poll', async () => {
    const engine = new Engine({ db: t.db, clock }, [counting]);
    const first = nextPass();
    engine.start(3_600_000);
    await first; // the pass every start begins with
    const woken = nextPass();
    listener = listenForWork(t.url, () => engine.wake());
    await woken; // connecting looks once for work committed while not listening
    const before = passes;
    const afterCommit = nextPass();
    await inTx(t.db, (tx) =>
      enqueueNotification(
        tx,
        {
          incidentId: null,
          channel: 'webhook',
          destination: 'https://example.com/',
          payload: {},
          dedupKey: 'wake-1',
        },
        clock.now(),
      ),
    );
    await afterCommit;
    expect(passes).toBe(before + 1);
    await engine.stop();
    await listener.close();
    listener = undefined;
  });

  it('delivers a committed message at once, while the pass is busy in another module', async () => {
    // The pass after start() stalls in the module before the outbox until the message is sent:
    // only the delivery the outbox's NOTIFY starts, apart from the pass, can send it.
    let release: () => void = () => {};
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    let stalling: () => void = () => {};
    const inPass = new Promise<void>((resolve) => {
      stalling = resolve;
    });
    const blocker: EngineModule = {
      id: 98,
      name: 'blocker',
      async tick() {
        stalling();
        await stalled;
        return 0;
      },
    };
    const sent: string[] = [];
    const outbox = outboxModule({
      providers: providerRegistry([
        {
          channel: 'webhook',
          send: async (message) => {
            sent.push(message.id);
            release();
            return { providerId: `sent-${message.id}` };
          },
        },
      ]),
    });
    const engine = new Engine({ db: t.db, clock }, [blocker, outbox]);
    const connected = new Promise<void>((resolve) => {
      listener = listenForWork(t.url, (what) => {
        if (what === '') resolve();
        engine.wake(what);
      });
    });
    engine.start(3_600_000);
    await Promise.all([inPass, connected]);
    await inTx(t.db, (tx) =>
      enqueueNotification(
        tx,
        {
          incidentId: null,
          channel: 'webhook',
          destination: 'https://example.com/',
          payload: {},
          dedupKey: 'wake-2',
        },
        clock.now(),
      ),
    );
    // Released by a send: the pass never reached the outbox module before it (the first test's
    // message, never claimed by a pass either, goes out with it).
    await stalled;
    await engine.stop();
    const row = await t.db
      .selectFrom('outbox')
      .select(['id', 'status', 'attempts'])
      .where('dedup_key', '=', 'wake-2')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', attempts: 1 });
    expect(sent.filter((id) => id === String(row.id))).toHaveLength(1);
  });
});
