import { readFileSync } from 'node:fs';
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

function postmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

describe('embedded PostgreSQL supervision', () => {
  it('restarts a killed PostgreSQL and serves again without a Tocsin restart', async () => {
    server = await startServer({ TOCSIN_ADMIN_TOKEN: token });
    const running = server;
    expect(
      (await call(running, token, 'POST', '/api/v1/users', { handle: 'before', name: 'B' })).status,
    ).toBe(201);
    const first = postmasterPid(running.dataDir);

    process.kill(first, 'SIGKILL');
    // While it is down: 503 (with the error shape), never a 500 or a dead process.
    const down = await until('a 503 while PostgreSQL is down', async () => {
      const res = await call(running, token, 'GET', '/api/v1/users');
      return res.status === 503 ? res : undefined;
    });
    expect(down.json).toMatchObject({ error: { code: 'unavailable' } });

    const after = await until(
      'writes to succeed again',
      async () => {
        const res = await call(running, token, 'POST', '/api/v1/users', { handle: 'after', name: 'A' });
        return res.status === 201 ? res : undefined;
      },
      60_000,
    );
    expect(after.status).toBe(201);
    expect(postmasterPid(running.dataDir)).not.toBe(first);
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
