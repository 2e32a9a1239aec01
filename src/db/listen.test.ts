import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/helpers.ts';
import { type Listener, listen } from './listen.ts';

// The listeners of one process on one database share one connection (one backend woken per
// notifying commit instead of one per channel), and each still gets only its own channel, its own
// onConnect at every (re)connection and its own onDisconnect.

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => {
  await t.close();
});

interface Recorder {
  payloads: string[];
  connects: number;
  disconnects: number;
  next(predicate: () => boolean): Promise<void>;
}

function recorder(): Recorder & { handlers: Parameters<typeof listen>[2] } {
  const waiters: { predicate: () => boolean; resolve: () => void }[] = [];
  const r = {
    payloads: [] as string[],
    connects: 0,
    disconnects: 0,
    next(predicate: () => boolean) {
      if (predicate()) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ predicate, resolve }));
    },
  };
  const check = () => {
    for (const w of waiters.splice(0)) {
      if (w.predicate()) w.resolve();
      else waiters.push(w);
    }
  };
  return Object.assign(r, {
    handlers: {
      onNotify(payload: string) {
        r.payloads.push(payload);
        check();
      },
      onConnect() {
        r.connects++;
        check();
      },
      onDisconnect() {
        r.disconnects++;
        check();
      },
      failureMessage: 'test listener could not connect',
    },
  });
}

const listeners = async () =>
  Number(
    (
      await sql<{ n: string }>`select count(*) as n from pg_stat_activity
        where datname = current_database() and application_name = 'tocsin-listen'`.execute(t.db)
    ).rows[0]?.n,
  );

describe('listen', () => {
  it('serves two channels over one connection, each subscriber its own channel, and reconnects both', async () => {
    const a = recorder();
    const b = recorder();
    const first: Listener = listen(t.url, 'test_chan_a', a.handlers);
    const second: Listener = listen(t.url, 'test_chan_b', b.handlers);
    try {
      await a.next(() => a.connects === 1);
      await b.next(() => b.connects === 1);
      expect(await listeners()).toBe(1);

      await sql`select pg_notify('test_chan_a', 'to-a'), pg_notify('test_chan_b', 'to-b')`.execute(t.db);
      await a.next(() => a.payloads.length === 1);
      await b.next(() => b.payloads.length === 1);
      expect(a.payloads).toEqual(['to-a']);
      expect(b.payloads).toEqual(['to-b']);

      // A lost connection: both are told, and both are connected again (notifications meanwhile are missed).
      await sql`select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and application_name = 'tocsin-listen'`.execute(t.db);
      await a.next(() => a.disconnects === 1 && a.connects === 2);
      await b.next(() => b.disconnects === 1 && b.connects === 2);
      await sql`select pg_notify('test_chan_b', 'again')`.execute(t.db);
      await b.next(() => b.payloads.length === 2);
      expect(b.payloads).toEqual(['to-b', 'again']);

      // One closes: the other keeps the connection and its channel.
      await first.close();
      await sql`select pg_notify('test_chan_a', 'nobody'), pg_notify('test_chan_b', 'still')`.execute(t.db);
      await b.next(() => b.payloads.length === 3);
      expect(b.payloads.at(-1)).toBe('still');
      expect(a.payloads).toEqual(['to-a']);
      expect(await listeners()).toBe(1);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
