import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/helpers.ts';
import { connect } from './connect.ts';

// Repeating texts go out as named prepared statements; the failure modes of a cached statement (a
// result type changed by DDL elsewhere, a generic plan that cannot infer a partial-index arbiter)
// must not turn into failed queries outside a transaction, nor stick after one inside.

let t: TestDb;
let other: pg.Client;
beforeAll(async () => {
  t = await freshDb();
  other = new pg.Client({ connectionString: t.url });
  await other.connect();
  await other.query('create table prep_t (id int primary key, a text)');
  await other.query(`insert into prep_t values (1, 'x')`);
  await other.query('create table prep_u (k int, open bool, n int default 0)');
  await other.query('create unique index prep_u_open on prep_u (k) where open');
});
afterAll(async () => {
  await other.end();
  await t.close();
});

describe('prepared statements', () => {
  it('names a repeating text, and survives a result type changed under it', async () => {
    const { db } = connect(t.url, 1);
    try {
      const one = (id: number) => sql<{ id: number }>`select * from prep_t where id = ${id}`.execute(db);
      for (let i = 0; i < 3; i++) expect((await one(1)).rows).toEqual([{ id: 1, a: 'x' }]);
      const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(
        db,
      );
      expect(rows.map((r) => r.statement)).toContain('select * from prep_t where id = $1');

      await other.query('alter table prep_t add column b int');
      expect((await one(1)).rows).toEqual([{ id: 1, a: 'x', b: null }]);

      // Named again, under a fresh name (the retry above went unnamed).
      expect((await one(1)).rows).toEqual([{ id: 1, a: 'x', b: null }]);
      // Inside a transaction the error has aborted it: no retry, but the name is forgotten.
      await other.query('alter table prep_t add column c int');
      await expect(
        db.transaction().execute((tx) => sql`select * from prep_t where id = ${1}`.execute(tx)),
      ).rejects.toThrow(/cached plan must not change result type/);
      for (let i = 0; i < 3; i++) expect((await one(1)).rows).toEqual([{ id: 1, a: 'x', b: null, c: null }]);
    } finally {
      await db.destroy();
    }
  });

  it('leaves a partial-index ON CONFLICT arbiter unnamed (a generic plan cannot infer it)', async () => {
    const { db } = connect(t.url, 1);
    try {
      for (let i = 0; i < 10; i++) {
        await db
          .transaction()
          .execute((tx) =>
            sql`insert into prep_u (k, open) values (${1}, true) on conflict (k) where open = ${true} do update set n = prep_u.n + 1`.execute(
              tx,
            ),
          );
      }
      const { rows } = await sql<{ n: number }>`select n from prep_u where k = ${1}`.execute(db);
      expect(rows[0]?.n).toBe(9);
    } finally {
      await db.destroy();
    }
  });
});
