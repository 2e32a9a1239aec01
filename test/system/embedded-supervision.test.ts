import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ServerHandle, startServer } from '../../scripts/lib/tocsin-process.ts';
import { call, systemToken, until } from './support.ts';

// The embedded PostgreSQL dies under a running `tocsin serve` (SIGKILL of the postmaster): requests
// answer 503 for a moment, Tocsin starts it again by itself, and the same process serves again.
const token = systemToken();
let server: ServerHandle | undefined;

afterAll(async () => {
  await server?.stop();
});

/** The postmaster's pid and port (lines 1 and 4 of postmaster.pid). */
function postmaster(dataDir: string): { pid: number; port: number } {
  const lines = readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

/**
 * Listens on 127.0.0.1:port, so PostgreSQL cannot start there meanwhile, and drops every connection
 * at once (Tocsin's pool then fails fast); undefined while the port is still taken.
 */
function occupy(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('embedded PostgreSQL supervision', () => {
  it('restarts a killed PostgreSQL and serves again without a Tocsin restart', async () => {
    server = await startServer({ TOCSIN_ADMIN_TOKEN: token });
    const running = server;
    expect(
      (await call(running, token, 'POST', '/api/v1/users', { handle: 'before', name: 'B' })).status,
    ).toBe(201);
    const first = postmaster(running.dataDir);

    // The outage is forced, not hoped for: Tocsin is paused (SIGSTOP) so its supervisor cannot start
    // PostgreSQL again before the test holds the port; on a busy machine the supervisor's first
    // restart (after 500 ms) could otherwise end the outage before any request saw it.
    process.kill(running.pid, 'SIGSTOP');
    let blocker: Server | undefined;
    try {
      process.kill(first.pid, 'SIGKILL');
      // Its listening socket closes as it dies (a zombie until the paused Tocsin reaps it).
      blocker = await until('the port to be free to hold', () => occupy(first.port));
    } finally {
      process.kill(running.pid, 'SIGCONT');
    }
    // While it is down (and its restarts fail on the held port): 503 with the error shape, never a
    // 500 or a dead process.
    const down = await until('a 503 while PostgreSQL is down', async () => {
      const res = await call(running, token, 'GET', '/api/v1/users');
      return res.status === 503 ? res : undefined;
    });
    await new Promise((r) => blocker?.close(r));
    expect(down.json).toMatchObject({ error: { code: 'unavailable' } });

    // Released: a restart with backoff (attempts 0.5, 1, 2, 4 … s apart) brings it back.
    const after = await until('writes to succeed again', async () => {
      const res = await call(running, token, 'POST', '/api/v1/users', { handle: 'after', name: 'A' });
      return res.status === 201 ? res : undefined;
    });
    expect(after.status).toBe(201);
    expect(postmaster(running.dataDir).pid).not.toBe(first.pid);
    expect(running.exited()).toBe(false);
    const { json } = await call(running, token, 'GET', '/api/v1/users');
    expect((json.users as { handle: string }[]).map((u) => u.handle)).toEqual(
      expect.arrayContaining(['before', 'after']),
    );
    // The death was logged (at error: the supervisor's own line).
    expect(running.errorLines().some((l) => l.includes('embedded PostgreSQL exited unexpectedly'))).toBe(
      true,
    );
  });
});
