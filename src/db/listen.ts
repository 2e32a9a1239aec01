import pg from 'pg';
import type { Logger } from 'pino';

// Dedicated connections LISTENing on channels (NOTIFY is delivered only at commit, by any instance).
// A lost connection (PostgreSQL restarting) is re-opened with backoff; onConnect runs at each
// (re)connection, because whatever was notified meanwhile was missed.
//
// Every listener of one process on one database shares ONE connection (the engine's tocsin_work and
// the event hub's tocsin_events): PostgreSQL signals every backend LISTENing in a database at each
// commit that notifies, whatever the channel, and each signalled backend wakes, reads the
// notification queue and writes to its client. Under an alert flood each ingest commit and each
// routing tick notifies, so a second listening backend cost ≈ 10 µs of PostgreSQL CPU per ingested
// alert (bench/_pgproc.ts: two listening backends at 9–11 µs/alert each), plus its socket reads in
// Node; one backend reads the queue once and delivers both channels.

export interface Listener {
  close(): Promise<void>;
}

export interface ListenHandlers {
  onNotify(payload: string): void;
  onConnect?(): void;
  /** The connection was lost: notifications are missed until the next onConnect. */
  onDisconnect?(): void;
  /** Logged when the connection cannot be opened. */
  failureMessage: string;
}

interface Subscriber {
  channel: string;
  handlers: ListenHandlers;
  log: Logger | undefined;
  /** Its channel is LISTENed on the current connection (onConnect was called for it). */
  live: boolean;
}

const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 10_000;

/**
 * How a half-open connection is noticed. A listening connection only reads: when a NAT drops its
 * mapping or the network partitions, no error and no end ever arrive, and without these it stayed
 * "connected" for good — no wake-ups, live streams quiet, listening() true. TCP keepalive finds a
 * peer that no longer acknowledges; a cheap query every checkEveryMs, answered within
 * answerWithinMs, finds the rest (a peer or middlebox that acknowledges but passes nothing on): a
 * loss is noticed within checkEveryMs + answerWithinMs, then the connection is opened again.
 * Real time, like the reconnection backoff: the connection lives in real time, whatever the clock.
 */
export interface ListenTiming {
  checkEveryMs: number;
  /** Also the limit for opening a connection and for its LISTEN. */
  answerWithinMs: number;
  /** TCP keepalive's first probe after this much silence on the socket. */
  keepAliveIdleMs: number;
}

export const LISTEN_TIMING: ListenTiming = {
  checkEveryMs: 30_000,
  answerWithinMs: 10_000,
  keepAliveIdleMs: 10_000,
};

/** One process's listening connection to one database, shared by its subscribers. */
class SharedListener {
  private client: pg.Client | undefined;
  private connecting = false;
  private retry: NodeJS.Timeout | undefined;
  /** The next check of the current connection (see ListenTiming). */
  private check: NodeJS.Timeout | undefined;
  private backoffMs = RETRY_FIRST_MS;
  private readonly subscribers = new Set<Subscriber>();
  /** Channels LISTENed on the current connection. */
  private listened = new Set<string>();
  /** LISTEN/UNLISTEN go out one batch at a time, so two subscribers' changes never interleave. */
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly dispose: () => void,
    private readonly timing: ListenTiming,
  ) {}

  add(subscriber: Subscriber): void {
    this.subscribers.add(subscriber);
    if (this.client) void this.sync(this.client);
    else if (!this.connecting && !this.retry) void this.connect();
  }

  async remove(subscriber: Subscriber): Promise<void> {
    if (!this.subscribers.delete(subscriber)) return;
    subscriber.live = false;
    if (this.subscribers.size > 0) {
      if (this.client) await this.sync(this.client);
      return;
    }
    this.dispose();
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    clearTimeout(this.check);
    this.check = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    this.connecting = true;
    const c = new pg.Client({
      connectionString: this.url,
      application_name: 'tocsin-listen',
      keepAlive: true,
      keepAliveInitialDelayMillis: this.timing.keepAliveIdleMs,
      connectionTimeoutMillis: this.timing.answerWithinMs,
      // Every query on it (LISTEN, the check): no answer in time is a lost connection (lost() ends
      // it, and pg destroys the socket of a client whose query is still out).
      query_timeout: this.timing.answerWithinMs,
    });
    c.on('error', () => this.lost(c));
    c.on('end', () => this.lost(c));
    c.on('notification', (n) => {
      for (const subscriber of this.subscribers) {
        if (subscriber.live && subscriber.channel === n.channel)
          subscriber.handlers.onNotify(n.payload ?? '');
      }
    });
    try {
      await c.connect();
      if (this.subscribers.size === 0) {
        await c.end().catch(() => {});
        return;
      }
      this.client = c;
      // Connected: from here a loss is this.client's (lost() schedules the retry). Still `connecting`
      // while its LISTEN was under way, a connection dropped then was never opened again.
      this.connecting = false;
      this.listened = new Set();
      this.backoffMs = RETRY_FIRST_MS;
      this.scheduleCheck(c);
      await this.sync(c);
    } catch (error) {
      const messages = new Set<string>();
      for (const { handlers, log } of this.subscribers) {
        if (messages.has(handlers.failureMessage)) continue;
        messages.add(handlers.failureMessage);
        log?.warn({ err: error }, handlers.failureMessage);
      }
      this.connecting = false;
      this.lost(c);
    } finally {
      this.connecting = false;
    }
  }

  /** LISTENs what the subscribers want on c (UNLISTENs what none wants), then tells new ones. */
  private sync(c: pg.Client): Promise<void> {
    this.syncing = this.syncing.then(async () => {
      if (this.client !== c) return;
      const wanted = new Set([...this.subscribers].map((s) => s.channel));
      const added = [...wanted].filter((channel) => !this.listened.has(channel));
      const dropped = [...this.listened].filter((channel) => !wanted.has(channel));
      if (added.length > 0 || dropped.length > 0) {
        // Channel names are identifiers of our own code (WORK_CHANNEL, EVENTS_CHANNEL), never input.
        await c.query(
          [...added.map((ch) => `LISTEN ${ch}`), ...dropped.map((ch) => `UNLISTEN ${ch}`)].join('; '),
        );
        for (const channel of added) this.listened.add(channel);
        for (const channel of dropped) this.listened.delete(channel);
      }
      if (this.client !== c) return;
      for (const subscriber of this.subscribers) {
        if (subscriber.live || !this.listened.has(subscriber.channel)) continue;
        subscriber.live = true;
        subscriber.handlers.onConnect?.();
      }
    });
    // A failed LISTEN means a broken connection: it is dropped and re-opened.
    this.syncing = this.syncing.catch(() => this.lost(c));
    return this.syncing;
  }

  /** Asks c a cheap question after checkEveryMs, again after each answer; no answer: c is lost. */
  private scheduleCheck(c: pg.Client): void {
    clearTimeout(this.check);
    this.check = setTimeout(() => {
      this.check = undefined;
      if (this.client !== c) return;
      c.query('select 1').then(
        () => {
          if (this.client === c) this.scheduleCheck(c);
        },
        (error: unknown) => {
          if (this.client !== c) return;
          const [first] = this.subscribers;
          first?.log?.warn({ err: error }, 'listening connection did not answer; opening it again');
          this.lost(c);
        },
      );
    }, this.timing.checkEveryMs);
    this.check.unref();
  }

  private lost(c: pg.Client): void {
    if (this.client === c) {
      clearTimeout(this.check);
      this.check = undefined;
      this.client = undefined;
      this.listened = new Set();
      for (const subscriber of this.subscribers) {
        if (!subscriber.live) continue;
        subscriber.live = false;
        subscriber.handlers.onDisconnect?.();
      }
    }
    c.end().catch(() => {});
    // Nobody listens any more, a retry or a connection is on its way, or another connection is live.
    if (this.subscribers.size === 0 || this.retry || this.connecting || this.client) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, this.backoffMs);
    this.retry.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, RETRY_MAX_MS);
  }
}

const shared = new Map<string, SharedListener>();

/** `timing` applies to the connection the first listener on `url` opens (tests shorten it). */
export function listen(
  url: string,
  channel: string,
  handlers: ListenHandlers,
  log?: Logger,
  timing: ListenTiming = LISTEN_TIMING,
): Listener {
  let connection = shared.get(url);
  if (!connection) {
    const created = new SharedListener(
      url,
      () => {
        if (shared.get(url) === created) shared.delete(url);
      },
      timing,
    );
    connection = created;
    shared.set(url, created);
  }
  const subscriber: Subscriber = { channel, handlers, log, live: false };
  const owner = connection;
  owner.add(subscriber);
  return { close: () => owner.remove(subscriber) };
}
