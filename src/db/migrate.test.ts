import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/helpers.ts';
import { connect, withDatabase } from './connect.ts';
import { appliedSchemaVersion, latestMigrationName, migrate } from './migrate.ts';

// Start on an existing store: one query finds every shipped migration applied; any other state goes
// through Kysely's migrator and its checks, as before.

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(() => t.close());

describe('migrate', () => {
  it('finds an up-to-date store up to date, and leaves any other state to the migrator', async () => {
    expect(await migrate(t.db)).toEqual([]);
    expect(await appliedSchemaVersion(t.db)).toBe(await latestMigrationName());
    // A store migrated by a newer build has a migration this one does not ship: the migrator refuses.
    await sql`insert into kysely_migration (name, timestamp) values ('9999_from_a_newer_build', '2026-12-04T00:00:00Z')`.execute(
      t.db,
    );
    await expect(migrate(t.db)).rejects.toThrow(/9999_from_a_newer_build is missing/);
    await sql`delete from kysely_migration where name = '9999_from_a_newer_build'`.execute(t.db);
    expect(await migrate(t.db)).toEqual([]);
  });

  it('runs every migration on an empty database, then finds it up to date', async () => {
    const admin = inject('pgAdminUrl');
    const name = `t_${randomBytes(6).toString('hex')}`;
    await sql.raw(`create database ${name}`).execute(t.db);
    const { db } = connect(withDatabase(admin, name), 2);
    try {
      const ran = await migrate(db);
      expect(ran.length).toBeGreaterThan(50);
      expect(ran.at(-1)).toBe(await latestMigrationName());
      expect(await migrate(db)).toEqual([]);
    } finally {
      await db.destroy();
      await sql.raw(`drop database if exists ${name} with (force)`).execute(t.db);
    }
  });
});
