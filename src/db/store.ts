import { sql } from 'kysely';
import type pg from 'pg';
import type { DatabaseClock } from './clock.ts';
import { connect, DEFAULT_TIMEOUTS, ensureDatabase, type Timeouts, withDatabase } from './connect.ts';
import { type EmbeddedLog, type EmbeddedStore, startEmbedded } from './embedded.ts';
import { migrate } from './migrate.ts';
import type { Db } from './schema.ts';

export interface Store {
  db: Db;
  pool: pg.Pool;
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export interface StoreOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
  timeouts?: Timeouts;
  log?: EmbeddedLog;
  runMigrations?: boolean;
  /** Named prepared statements for repeating texts (TOCSIN_PREPARED; connect.ts). Default true. */
  prepared?: boolean;
}

/** Opens the external PostgreSQL named by DATABASE_URL, or starts the embedded one, and migrates. */
export async function openStore(options: StoreOptions): Promise<Store> {
  let embedded: EmbeddedStore | undefined;
  let url = options.databaseUrl;
  if (!url) {
    embedded = await startEmbedded(options.dataDir, options.log);
    await ensureDatabase(embedded.url, 'tocsin');
    url = withDatabase(embedded.url, 'tocsin');
  }
  const { db, pool } = connect(
    url,
    options.poolSize,
    options.timeouts ?? DEFAULT_TIMEOUTS,
    options.prepared ?? true,
  );
  const close = async () => {
    await db.destroy().catch(() => {});
    await embedded?.stop();
  };
  try {
    if (options.runMigrations !== false) await migrate(db);
  } catch (error) {
    await close();
    throw error;
  }
  return { db, pool, url, embedded: Boolean(embedded), close };
}

/** Keeps a DatabaseClock in step with the server's now(). */
export async function calibrateClock(db: Db, clock: DatabaseClock): Promise<void> {
  const sentAt = Date.now();
  const { rows } = await sql<{ now: Date }>`select now() as now`.execute(db);
  const row = rows[0];
  if (row) clock.calibrate(new Date(row.now), sentAt, Date.now());
}
