import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import type { Executor } from '../db/schema.ts';
import { inTx } from '../db/tx.ts';
import { enqueueNotification } from '../domain/notifications/enqueue.ts';

// What each commit's wake-up names (migration 0760): an escalation wakes the engine only while a step
// of it is due at commit; a message to people wakes the fan-out ('messages'), one to a contact
// delivery ('outbox').

let t: TestDb;
let listener: pg.Client;
const heard: string[] = [];
const clock = new VirtualClock('2026-03-02T10:00:00Z');

beforeAll(async () => {
  t = await freshDb();
  listener = new pg.Client({ connectionString: t.url });
  await listener.connect();
  listener.on('notification', (n) => heard.push(n.payload ?? ''));
  await listener.query('listen tocsin_work');
});
afterAll(async () => {
  await listener.end();
  await t.close();
});

/** The payloads of what committed so far (a round trip on the listening connection brings them in). */
async function take(): Promise<string[]> {
  await listener.query('select 1');
  return heard.splice(0).sort();
}

/** An escalation as startPaging inserts it: its first step due now. */
const start = (tx: Executor, source: string) =>
  tx
    .insertInto('escalations')
    .values({
      incident_id: null,
      kind: 'paging',
      source,
      steps: JSON.stringify([{ after: 0, targets: [] }]),
      message: 'paged',
      next_at: clock.now(),
      status: 'active',
      started_at: clock.now(),
      updated_at: clock.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();

describe('wake-up payloads', () => {
  it('names a new escalation only while a step of it is due at commit', async () => {
    await take();
    await inTx(t.db, (tx) => start(tx, 'due'));
    expect(await take()).toEqual(['escalations']);
    // Its first step run in the same transaction (as the alert-rules module does): nothing is due.
    await inTx(t.db, async (tx) => {
      const esc = await start(tx, 'stepped');
      await tx
        .updateTable('escalations')
        .set({ step: 1, next_at: new Date(clock.now().getTime() + 60_000), updated_at: clock.now() })
        .where('id', '=', esc.id)
        .execute();
    });
    expect(await take()).toEqual([]);
  });

  it('names messages to people apart from messages to contacts', async () => {
    await take();
    const message = (destination: string, dedupKey: string) => ({
      incidentId: null,
      channel: 'push',
      destination,
      payload: {},
      dedupKey,
    });
    await inTx(t.db, (tx) => enqueueNotification(tx, message('user:someone', 'p-1'), clock.now()));
    expect(await take()).toEqual(['messages']);
    await inTx(t.db, (tx) => enqueueNotification(tx, message('phone-1', 'p-2'), clock.now()));
    expect(await take()).toEqual(['outbox']);
    await inTx(t.db, async (tx) => {
      await enqueueNotification(tx, message('group:oncall', 'p-3'), clock.now());
      await enqueueNotification(tx, message('phone-2', 'p-4'), clock.now());
    });
    expect(await take()).toEqual(['messages', 'outbox']);
  });
});
