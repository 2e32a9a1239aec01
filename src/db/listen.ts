import pg from 'pg';
import type { Logger } from 'pino';

// A dedicated connection LISTENing on one channel (NOTIFY is delivered only at commit, by any
// instance). A lost connection (PostgreSQL restarting) is re-opened with backoff; onConnect runs at
// each (re)connection, because whatever was notified meanwhile was missed.

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

export function listen(url: string, channel: string, handlers: ListenHandlers, log?: Logger): Listener {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let backoffMs = 250;

  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url, application_name: `tocsin-${channel}` });
    c.on('error', () => reconnect(c));
    c.on('end', () => reconnect(c));
    c.on('notification', (n) => handlers.onNotify(n.payload ?? ''));
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      if (closed) {
        await c.end().catch(() => {});
        return;
      }
      client = c;
      backoffMs = 250;
      handlers.onConnect?.();
    } catch (error) {
      log?.warn({ err: error }, handlers.failureMessage);
      reconnect(c);
    }
  };

  const reconnect = (c: pg.Client) => {
    if (client === c) {
      client = undefined;
      handlers.onDisconnect?.();
    }
    c.end().catch(() => {});
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, backoffMs);
    retry.unref();
    backoffMs = Math.min(backoffMs * 2, 10_000);
  };

  void connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
