import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { inTx } from '../db/tx.ts';
import { enqueueNotification } from '../domain/notifications/enqueue.ts';
import { Engine, type EngineModule } from './engine.ts';
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
  });
});
