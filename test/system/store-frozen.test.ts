import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExternalPostgres, startPostgres15 } from '../../scripts/lib/pg15.ts';
import { type ServerHandle, startServer } from '../../scripts/lib/tocsin-process.ts';
import { call, systemToken, until } from './support.ts';

// PostgreSQL frozen (SIGSTOP: it accepts TCP but answers nothing) under a running Tocsin: requests no
// longer hang — they answer 503 with Retry-After once the pool and read timeouts pass (PagerDuty's
// error format at /v2/enqueue), /health says unavailable, and all is well again after SIGCONT.
const token = systemToken();
let pg: ExternalPostgres;
let server: ServerHandle;
let frozen: number[] = [];

beforeAll(async () => {
  pg = await startPostgres15();
  server = await startServer({
    DATABASE_URL: pg.url,
    TOCSIN_ADMIN_TOKEN: token,
    TOCSIN_DB_CONNECT_TIMEOUT_MS: '1000',
    TOCSIN_DB_STATEMENT_TIMEOUT_MS: '1000',
    TOCSIN_LOG_LEVEL: 'fatal',
  });
});

afterAll(async () => {
  signal(frozen, 'SIGCONT');
  await server?.stop();
  pg?.stop();
});

/** This test's own cluster: its postmaster (found by its port) and the backends it started. */
function clusterPids(port: number): number[] {
  const pgrep = (args: string[]) => {
    try {
      return execFileSync('pgrep', args, { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const postmaster = pgrep(['-f', '--', `-p ${port} -c listen_addresses`]);
  return [...postmaster, ...postmaster.flatMap((pid) => pgrep(['-P', String(pid)]))];
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {}
  }
}

describe('a frozen store', () => {
  it('turns into 503 with Retry-After instead of hanging, and recovers after', async () => {
    expect((await call(server, token, 'GET', '/api/v1/users')).status).toBe(200);
    frozen = clusterPids(pg.port);
    expect(frozen.length).toBeGreaterThan(1);
    signal(frozen, 'SIGSTOP');

    const api = await call(server, token, 'GET', '/api/v1/users');
    expect(api.status).toBe(503);
    expect(api.json).toMatchObject({ error: { code: 'unavailable' } });

    const enqueue = await fetch(`${server.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: 'any-key-000000000000000000000000',
        event_action: 'trigger',
        payload: { summary: 'disk full', source: 'db1', severity: 'critical' },
      }),
    });
    expect(enqueue.status).toBe(503);
    expect(enqueue.headers.get('retry-after')).not.toBeNull();
    expect(await enqueue.json()).toMatchObject({ status: 'error', errors: [expect.any(String)] });

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'unavailable' });

    signal(frozen, 'SIGCONT');
    frozen = [];
    await until('requests to succeed again', async () => {
      const res = await call(server, token, 'POST', '/api/v1/users', { handle: 'thawed', name: 'T' });
      return res.status === 201;
    });
    // A connection whose query timed out while the store was frozen is ended then (connect.ts), so it
    // cannot serve a later request inside a transaction its timed-out ROLLBACK never closed: once
    // /health is back it stays back.
    await until(
      '/health to answer 200 again',
      async () => (await fetch(`${server.url}/health`)).status === 200,
    );
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(server.exited()).toBe(false);
  });
});
