import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, ensureDatabase, withDatabase } from '../../src/db/connect.ts';
import { startEmbedded } from '../../src/db/embedded.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-orphan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('embedded PostgreSQL after a crash', () => {
  it('stops the orphan a killed process left behind, keeps every committed row, starts once', async () => {
    const data = join(dir, 'data');
    // A child process starts the store, commits 300 rows, and is then SIGKILLed.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(process.cwd(), 'test/system/fixtures/crash-child.ts'), data, '300'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((ok, fail) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && ok());
      child.on('exit', (code) => fail(new Error(`child exited ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const orphan = Number(readFileSync(join(data, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(pidAlive(orphan)).toBe(true);

    const store = await startEmbedded(data);
    try {
      expect(pidAlive(orphan)).toBe(false);
      await ensureDatabase(store.url, 'crash');
      const { pool, db } = connect(withDatabase(store.url, 'crash'));
      const { rows } = await pool.query('select count(*)::int as n from t');
      expect(rows[0].n).toBe(300);
      await db.destroy();
      const servers = execFileSync('pgrep', ['-f', '--', `-D ${join(data, 'pg')}`], { encoding: 'utf8' })
        .trim()
        .split('\n');
      expect(servers.filter(Boolean)).toHaveLength(1);
    } finally {
      await store.stop();
    }
  });
});
