import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { prepareStatements } from './prepared.ts';
import type { Database, Db } from './schema.ts';

// timestamptz and jsonb come back as Date and objects already; int8 stays a string (ids), and
// count(*) results are converted where they are read.
export interface Timeouts {
  /** How long a request waits for a connection (from the pool or a new one) before it fails. */
  connectMs: number;
  /** PostgreSQL cancels a statement that runs longer (lock waits included). */
  statementMs: number;
  /** How much longer than statementMs the client waits for an answer (a frozen server sends none). */
  readMarginMs?: number;
}

// A frozen or overloaded PostgreSQL must turn into quick 503s, not requests that hang forever.
export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 5_000, statementMs: 30_000 };

const READ_MARGIN_MS = 5_000;

export function connect(
  url: string,
  poolSize = 10,
  timeouts: Timeouts = DEFAULT_TIMEOUTS,
  prepared = true,
): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    // A server that stopped answering (SIGSTOP, a hung disk) cancels nothing: the client gives up.
    query_timeout: timeouts.statementMs + (timeouts.readMarginMs ?? READ_MARGIN_MS),
  });
  // A dropped connection must not crash the process: the next query reports the error instead.
  // The pool's own handler covers idle clients only; a client checked out between two queries (an
  // open transaction) emits 'error' itself when PostgreSQL shuts down or the socket drops, and an
  // unhandled 'error' event kills the process. That client is no longer queryable: its next query
  // fails (→ 503) and the pool discards it on release.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
    // Repeating statement texts go out as named prepared statements (parse + plan once per
    // connection): see prepared.ts. TOCSIN_PREPARED=false turns it off (A/B measurements).
    if (prepared) prepareStatements(client);
    discardOnReadTimeout(client);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool };
}

type QueryFn = (config: unknown, values?: unknown, callback?: unknown) => unknown;
type Callback = (err: Error | null, res?: unknown) => void;

/**
 * Ends a client whose query got no answer in time, so the pool drops it on release. Its state is
 * unknown: the statement may still run once the server answers again, and a ROLLBACK that timed out
 * queued behind it was never sent — kept in the pool, it would serve the next request inside that
 * open transaction and a write answered as committed would never be.
 */
function discardOnReadTimeout(client: pg.PoolClient): void {
  const query = client.query.bind(client) as QueryFn;
  const check = (err: unknown) => {
    if ((err as Error | null)?.message === 'Query read timeout') void client.end().catch(() => {});
  };
  client.query = ((config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof values === 'function' || typeof callback === 'function') {
      const done = (typeof callback === 'function' ? callback : values) as Callback;
      const checked: Callback = (err, res) => {
        check(err);
        done(err, res);
      };
      return typeof callback === 'function' ? query(config, values, checked) : query(config, checked);
    }
    const result = query(config, values);
    // Watched beside the caller, not in its chain: the caller still awaits pg's own promise.
    if (result instanceof Promise) result.then(undefined, check);
    return result;
  }) as pg.PoolClient['query'];
}

/** Creates a database on the server behind adminUrl if it does not exist yet. */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`create database ${name}${template ? ` template ${template}` : ''}`);
    }
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
