import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/helpers.ts';
import { connect } from './connect.ts';

// A server that stops answering (SIGSTOP, a hung disk) makes the client give up on a query it has
// already sent. That connection's state is then unknown: the statement may still run, and a ROLLBACK
// that timed out behind it was never sent. Such a connection must leave the pool, not serve the next
// request inside a transaction nobody will end.

let t: TestDb;
let other: pg.Client;
beforeAll(async () => {
  t = await freshDb();
  other = new pg.Client({ connectionString: t.url });
  await other.connect();
  await other.query('create table conn_t (id int primary key)');
});
afterAll(async () => {
  await other.end();
  await t.close();
});

describe('a query the server never answers', () => {
  it('discards its connection, so the next write is not swallowed by a transaction left open', async () => {
    const { db, pool } = connect(t.url, 1, { connectMs: 5_000, statementMs: 100, readMarginMs: 50 });
    try {
      // The lock stands in for a frozen server: the statement waits with no answer until released.
      await other.query('begin');
      await other.query('lock table conn_t in access exclusive mode');
      const stuck = db.transaction().execute(async (tx) => {
        await sql`set local statement_timeout = 0`.execute(tx);
        await sql`select count(*) from conn_t`.execute(tx);
      });
      await expect(stuck).rejects.toThrow(/read timeout|not queryable|terminated/i);
      await other.query('commit');

      await sql`insert into conn_t values (1)`.execute(db);
      const seen = await other.query('select id from conn_t');
      expect(seen.rows).toEqual([{ id: 1 }]);
      const open = await other.query(
        `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and state like 'idle in transaction%'`,
      );
      expect(open.rows[0].n).toBe(0);
      expect(pool.totalCount).toBeLessThanOrEqual(1);
    } finally {
      await db.destroy();
    }
  });
});
