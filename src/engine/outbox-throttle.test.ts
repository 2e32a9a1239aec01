import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { enqueueNotification } from '../domain/notifications/enqueue.ts';
import { type OutboundMessage, providerRegistry } from '../notify/providers/provider.ts';
import { Engine } from './engine.ts';
import { outboxModule } from './outbox.ts';

// Per-destination throttle: at most one SMS (and one call) a minute to one number; the rest wait
// their turn and none is lost.

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
const sent: { at: string; channel: string; destination: string; text: string }[] = [];

beforeAll(async () => {
  t = await freshDb();
});
afterAll(() => t.close());

describe('destination throttle', () => {
  it('sends one SMS per number per minute, other numbers and channels unaffected', async () => {
    const record = (channel: string) => ({
      channel,
      send: async (m: OutboundMessage) => {
        sent.push({
          at: clock.now().toISOString().slice(11, 19),
          channel: m.channel,
          destination: m.destination,
          text: String((m.payload as { text: string }).text),
        });
        return { providerId: `p-${m.id}` };
      },
    });
    const outbox = outboxModule({ providers: providerRegistry([record('sms'), record('voice')]) });
    const engine = new Engine({ db: t.db, clock, log: pino({ level: 'silent' }) }, [outbox]);
    const queue = (channel: string, destination: string, text: string) =>
      enqueueNotification(
        t.db,
        { incidentId: null, channel, destination, payload: { text }, dedupKey: text },
        clock.now(),
      );
    await queue('sms', '+15550000001', 'a1');
    await queue('sms', '+15550000001', 'a2');
    await queue('sms', '+15550000001', 'a3');
    await queue('sms', '+15550000002', 'b1');
    await queue('voice', '+15550000001', 'call');
    const run = async () => {
      await engine.runUntilIdle();
      await outbox.idle();
    };
    await run();
    expect(sent.map((s) => s.text).sort()).toEqual(['a1', 'b1', 'call']);
    clock.advance(30_000);
    await run();
    expect(sent).toHaveLength(3);
    clock.advance(30_000);
    await run();
    clock.advance(60_000);
    await run();
    expect(sent.filter((s) => s.destination === '+15550000001' && s.channel === 'sms')).toEqual([
      expect.objectContaining({ at: '10:00:00', text: 'a1' }),
      expect.objectContaining({ at: '10:01:00', text: 'a2' }),
      expect.objectContaining({ at: '10:02:00', text: 'a3' }),
    ]);
    const rows = await t.db.selectFrom('outbox').select('status').execute();
    expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'sent'));
  });
});
