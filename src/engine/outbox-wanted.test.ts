import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { LOCKS, tryAdvisoryXactLock } from '../db/locks.ts';
import { enqueueNotification } from '../domain/notifications/enqueue.ts';
import { providerRegistry } from '../notify/providers/provider.ts';
import { Engine } from './engine.ts';
import { outboxModule } from './outbox.ts';

// A pass woken for the outbox skips the module when the delivery that wake-up started on its own
// (woken: a refill) took the lock and every due row; otherwise the module runs, as before.

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');

beforeAll(async () => {
  t = await freshDb();
});
afterAll(() => t.close());

describe('the outbox in a woken pass', () => {
  it('is skipped when its delivery on commit took every due row, and runs when it could not', async () => {
    const sent: string[] = [];
    const outbox = outboxModule({
      providers: providerRegistry([
        {
          channel: 'push',
          send: async (m) => {
            sent.push(String((m.payload as { text: string }).text));
            return { providerId: `p-${m.id}` };
          },
        },
      ]),
    });
    const deps = { db: t.db, clock, log: pino({ level: 'silent' }) };
    const engine = new Engine(deps, [outbox]);
    const queue = (text: string) =>
      enqueueNotification(
        t.db,
        { incidentId: null, channel: 'push', destination: 'phone', payload: { text }, dedupKey: text },
        clock.now(),
      );
    // The whole pass an engine starts with; the clock stands still, so the next passes are woken ones.
    await engine.wokenPass(new Set());
    await queue('first');
    outbox.woken?.(deps);
    await outbox.idle();
    expect(sent).toEqual(['first']);
    expect(await engine.wokenPass(new Set(['outbox']))).toEqual([]);

    // The refill misses the lock (another instance's tick holds it): the pass runs the module.
    await queue('second');
    await t.db.transaction().execute(async (tx) => {
      expect(await tryAdvisoryXactLock(tx, LOCKS.engineModuleBase + outbox.id)).toBe(true);
      outbox.woken?.(deps);
      await outbox.idle();
    });
    expect(sent).toEqual(['first']);
    const outcomes = await engine.wokenPass(new Set(['outbox']));
    expect(outcomes.map((o) => [o.module, o.outcome, o.handled])).toEqual([['outbox', 'ran', 1]]);
    await outbox.idle();
    expect(sent).toEqual(['first', 'second']);
  });
});
