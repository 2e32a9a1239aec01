import net from 'node:net';
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

/**
 * A TCP proxy in front of the test's PostgreSQL that drops the connection (both ends) when a LISTEN
 * goes through it while `dropListen` is above 0: a connection lost between its login and its LISTEN.
 * `freeze()` makes the connections open now half-open: they stay open and pass nothing on, either
 * way, with no error and no end (a NAT that dropped its mapping, a partition); new ones pass.
 */
async function droppingProxy(url: string) {
  const target = new URL(url);
  const sockets = new Set<net.Socket>();
  const frozen = new Set<net.Socket>();
  const state = { dropListen: 0, dropped: 0 };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => {
      if (frozen.has(client)) return;
      if (state.dropListen > 0 && chunk.includes('LISTEN ')) {
        state.dropListen--;
        state.dropped++;
        drop();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!frozen.has(client)) client.write(chunk);
    });
    client.on('close', drop).on('error', drop);
    upstream.on('close', drop).on('error', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(url);
  // Over TCP to the proxy, not the embedded server's Unix socket (?host=<its directory>).
  proxied.searchParams.delete('host');
  proxied.hostname = '127.0.0.1';
  proxied.port = String((server.address() as net.AddressInfo).port);
  return {
    url: proxied.toString(),
    state,
    freeze: () => {
      for (const s of sockets) frozen.add(s);
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('listen, when the connection drops before its LISTEN is answered', () => {
  it('connects again and listens, instead of staying deaf', { timeout: 60_000 }, async () => {
    const proxy = await droppingProxy(t.url);
    const r = recorder();
    proxy.state.dropListen = 1;
    const listener = listen(proxy.url, 'test_chan_drop', r.handlers);
    try {
      await r.next(() => r.connects === 1);
      expect(proxy.state.dropped).toBe(1);
      await sql`select pg_notify('test_chan_drop', 'heard')`.execute(t.db);
      await r.next(() => r.payloads.length === 1);
      expect(r.payloads).toEqual(['heard']);

      // The same on a reconnection: the connection is lost, and the next one drops at its LISTEN.
      proxy.state.dropListen = 1;
      await sql`select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and application_name = 'tocsin-listen'`.execute(t.db);
      await r.next(() => r.disconnects === 1 && r.connects === 2);
      expect(proxy.state.dropped).toBe(2);
      await sql`select pg_notify('test_chan_drop', 'again')`.execute(t.db);
      await r.next(() => r.payloads.length === 2);
      expect(r.payloads).toEqual(['heard', 'again']);
    } finally {
      await listener.close();
      await proxy.close();
    }
  });
});

describe('listen, when the connection goes half-open', () => {
  it('notices within its check interval and timeout, and listens again', { timeout: 60_000 }, async () => {
    // Before, nothing read a listening connection that passes nothing on: no error, no end, so no
    // onDisconnect and no reconnection — the engine's wake-ups and the live streams went quiet
    // while EventHub.listening() said true. Short timings here; the defaults are LISTEN_TIMING.
    const proxy = await droppingProxy(t.url);
    const r = recorder();
    const listener = listen(proxy.url, 'test_chan_frozen', r.handlers, undefined, {
      checkEveryMs: 200,
      answerWithinMs: 3_000,
      keepAliveIdleMs: 1_000,
    });
    try {
      await r.next(() => r.connects === 1);
      await sql`select pg_notify('test_chan_frozen', 'heard')`.execute(t.db);
      await r.next(() => r.payloads.length === 1);

      // Counted from here: a check slower than 3 s on a busy machine reconnects too, harmlessly.
      const before = r.disconnects;
      proxy.freeze();
      await sql`select pg_notify('test_chan_frozen', 'lost in the freeze')`.execute(t.db);
      // Bounded by the test's timeout; with these timings it comes after about 3.2 s.
      await r.next(() => r.disconnects > before && r.connects === r.disconnects + 1);
      await sql`select pg_notify('test_chan_frozen', 'again')`.execute(t.db);
      await r.next(() => r.payloads.length === 2);
      expect(r.payloads).toEqual(['heard', 'again']);
    } finally {
      await listener.close();
      await proxy.close();
    }
  });
});
