import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { outboxRowOf } from './enqueue.ts';
import { insertOutboxBulk } from './queries.ts';

// The set-based outbox insert subscriber notices use: one statement however many rows, a queued dedup
// key skipped, payloads (Ethiopic text included) stored as written.

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(() => t.close());

const now = new Date('2026-03-02T10:00:00Z');
const rows = (keys: string[]) =>
  keys.map((k) =>
    outboxRowOf(
      {
        incidentId: null,
        channel: 'email',
        destination: `${k}@example.com`,
        template: 'status-page.incident-update',
        payload: { kind: 'notify', text: `ሰላም ${k}`, subject: 'Update' },
        dedupKey: `bulk:${k}`,
      },
      now,
    ),
  );

/** Queries every pg client sends while `work` runs. */
async function statements(work: () => Promise<unknown>): Promise<number> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let count = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    count++;
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    proto.query = original;
  }
  return count;
}

describe('insertOutboxBulk', () => {
  it('queues any number of rows in one statement and skips queued dedup keys', async () => {
    const many = Array.from({ length: 500 }, (_, i) => `m${i}`);
    let queued = 0;
    expect(await statements(async () => (queued = await insertOutboxBulk(t.db, rows(many))))).toBe(1);
    expect(queued).toBe(500);
    expect(await statements(() => insertOutboxBulk(t.db, rows(['a'])))).toBe(1);
    expect(await insertOutboxBulk(t.db, rows(['a', 'b', 'm7']))).toBe(1);
    const b = await t.db
      .selectFrom('outbox')
      .selectAll()
      .where('dedup_key', '=', 'bulk:b')
      .executeTakeFirstOrThrow();
    expect(b).toMatchObject({
      channel: 'email',
      destination: 'b@example.com',
      status: 'pending',
      incident_id: null,
    });
    expect(b.payload).toEqual({ kind: 'notify', text: 'ሰላም b', subject: 'Update' });
    expect(b.next_attempt_at).toEqual(now);
    expect(await insertOutboxBulk(t.db, [])).toBe(0);
  });
});
