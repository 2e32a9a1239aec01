import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { enqueueNotification } from '../domain/notifications/enqueue.ts';
import { providerRegistry } from '../notify/providers/provider.ts';
import { Engine } from './engine.ts';
import { outboxModule } from './outbox.ts';

// A graceful stop lets the sends under way finish and be recorded, and claims nothing more: a message
// abandoned in `sending` would wait out its lease and might go out twice.

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
beforeAll(async () => {
  t = await freshDb();
});
afterAll(() => t.close());

describe('Engine.stop', () => {
  it('waits for the sends under way to be recorded', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = 0;
    const outbox = outboxModule({
      providers: providerRegistry([
        {
          channel: 'push',
          send: async (m) => {
            started++;
            await gate;
            return { providerId: `p-${m.id}` };
          },
        },
      ]),
    });
    const engine = new Engine({ db: t.db, clock, log: pino({ level: 'silent' }) }, [outbox]);
    await enqueueNotification(
      t.db,
      { incidentId: null, channel: 'push', destination: 'topic', payload: {}, dedupKey: 's1' },
      clock.now(),
    );
    await engine.tick();
    while (started === 0) await new Promise((r) => setImmediate(r));
    const stopped = engine.stop();
    let done = false;
    void stopped.then(() => {
      done = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false); // still sending
    release();
    await stopped;
    const rows = await t.db.selectFrom('outbox').select(['status', 'provider_id']).execute();
    expect(rows).toEqual([{ status: 'sent', provider_id: expect.stringMatching(/^p-/) }]);
    await enqueueNotification(
      t.db,
      { incidentId: null, channel: 'push', destination: 'topic', payload: {}, dedupKey: 's2' },
      clock.now(),
    );
    expect(
      await outbox.tick({
        tx: t.db,
        db: t.db,
        clock,
        now: clock.now(),
        more: () => {},
        woken: false,
        afterCommit: () => {},
      }),
    ).toBe(0); // stopped: claims nothing
  });
});
