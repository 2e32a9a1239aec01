import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { connect, ensureDatabase, withDatabase } from '../../db/connect.ts';
import { startEmbedded } from '../../db/embedded.ts';
import { migrate } from '../../db/migrate.ts';
import type { Db } from '../../db/schema.ts';

export interface ThrowawayStore {
  db: Db;
  close(): Promise<void>;
}

/**
 * A database that exists only for one drill: a fresh database on the server named by serverUrl
 * (DATABASE_URL), or a fresh embedded PostgreSQL in a temporary directory. Dropped afterwards.
 */
export async function openThrowawayStore(serverUrl?: string, prefix = 'drill'): Promise<ThrowawayStore> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  if (serverUrl) {
    await ensureDatabase(serverUrl, name);
    const { db } = connect(withDatabase(serverUrl, name), 4);
    await migrate(db);
    return {
      db,
      async close() {
        await db.destroy();
        const client = new pg.Client({ connectionString: serverUrl });
        await client.connect();
        await client.query(`drop database if exists ${name} with (force)`).catch(() => {});
        await client.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-drill-'));
  const embedded = await startEmbedded(join(dir, 'data'), undefined, { throwaway: true });
  await ensureDatabase(embedded.url, name);
  const { db } = connect(withDatabase(embedded.url, name), 4);
  await migrate(db);
  return {
    db,
    async close() {
      await db.destroy();
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
