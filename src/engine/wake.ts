import pg from 'pg';
import type { Logger } from 'pino';

// The engine's ear: a dedicated connection LISTENing on tocsin_work (sent by the triggers of
// migration 0131 when work is committed, by any instance). Each notification wakes the local engine.
// A lost connection (PostgreSQL restarting) is re-opened with backoff; meanwhile the engine's poll
// interval still finds the work, so a missed notification only costs latency, never work.

export const WORK_CHANNEL = 'tocsin_work';

export interface WorkListener {
  close(): Promise<void>;
}

export function listenForWork(url: string, onWork: () => void, log?: Logger): WorkListener {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let backoffMs = 250;

  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url, application_name: 'tocsin-wake' });
    c.on('error', () => reconnect(c));
    c.on('end', () => reconnect(c));
    c.on('notification', () => onWork());
    try {
      await c.connect();
      await c.query(`LISTEN ${WORK_CHANNEL}`);
      client = c;
      backoffMs = 250;
      // Work committed while we were not listening: look now.
      onWork();
    } catch (error) {
      log?.warn({ err: error }, 'engine wake-up listener could not connect; polling until it can');
      reconnect(c);
    }
  };

  const reconnect = (c: pg.Client) => {
    if (client === c) client = undefined;
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
