import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ServerHandle, startServer } from '../../scripts/lib/tocsin-process.ts';
import { call, systemToken } from './support.ts';

// What `npm start` does: `tocsin serve` without DATABASE_URL, on the embedded PostgreSQL in its data
// dir. A clean stop (SIGTERM) stops that PostgreSQL too, and the next start keeps the data.
const dir = mkdtempSync(join(tmpdir(), 'tocsin-embedded-'));
const dataDir = join(dir, 'data');
const pgData = join(dataDir, 'pg');
const token = systemToken();
let server: ServerHandle | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** PostgreSQL processes serving the data dir (pgrep exits 1 when there is none). */
function postgresOn(data: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', '--', `-D ${data}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

describe('the embedded store under tocsin serve', () => {
  it('stops with SIGTERM and keeps its data for the next start', async () => {
    // A busy engine (a pass every 50 ms) is mid-tick when the signal comes.
    server = await startServer({
      TOCSIN_DATA_DIR: dataDir,
      TOCSIN_ADMIN_TOKEN: token,
      TOCSIN_ENGINE_INTERVAL_MS: '50',
    });
    expect(postgresOn(pgData)).toHaveLength(1);
    const created = await call(server, token, 'POST', '/api/v1/users', { handle: 'keeper', name: 'Keeper' });
    expect(created.status).toBe(201);

    await server.stop('SIGTERM');
    expect(server.exitCode()).toBe(0);
    // A normal stop is quiet: the store goes down after the engine and the HTTP server, not under them.
    expect(server.errorLines()).toEqual([]);
    server = undefined;
    expect(postgresOn(pgData)).toEqual([]);
    expect(existsSync(join(pgData, 'postmaster.pid'))).toBe(false);

    server = await startServer({ TOCSIN_DATA_DIR: dataDir, TOCSIN_ADMIN_TOKEN: token });
    expect(postgresOn(pgData)).toHaveLength(1);
    const { status, json } = await call(server, token, 'GET', '/api/v1/users');
    expect(status).toBe(200);
    const handles = (json.users as { handle: string }[]).map((u) => u.handle);
    expect(handles).toContain('keeper');
    // The second start did not create a second admin either.
    expect(handles.filter((h) => h === 'admin')).toHaveLength(1);

    await server.stop('SIGTERM');
    server = undefined;
    expect(postgresOn(pgData)).toEqual([]);
  });
});
