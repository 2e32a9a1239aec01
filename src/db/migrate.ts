import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Db, Executor } from './schema.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** The migrations this build ships, by name (file name without .sql), in order. */
async function migrationNames(): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR))
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => f.replace(/\.sql$/, ''));
}

// Forward-only: each .sql file is one migration, applied in name order inside a transaction. A file
// is read only when its migration runs.
class SqlFileProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const name of await migrationNames()) {
      out[name] = {
        up: async (db) =>
          void (await sql.raw(await readFile(`${MIGRATIONS_DIR}${name}.sql`, 'utf8')).execute(db)),
      };
    }
    return out;
  }
}

/**
 * Whether exactly the migrations this build ships are recorded as applied: one query, the usual case
 * at start (issue 14). Kysely records a migration in the transaction that runs it, so a recorded name
 * is a committed migration. Anything else (a new store, a migration to run, a store migrated by a newer
 * Tocsin) goes through the migrator, with its lock and its checks.
 */
async function upToDate(db: Db, names: string[]): Promise<boolean> {
  let applied: string[];
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    applied = rows.map((r) => r.name).sort();
  } catch {
    return false; // no migration table yet
  }
  return applied.length === names.length && applied.every((name, i) => name === names[i]);
}

export async function migrate(db: Db): Promise<string[]> {
  if (await upToDate(db, await migrationNames())) return [];
  const migrator = new Migrator({ db, provider: new SqlFileProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The newest migration this build ships: the schema version its engine is written for. */
export async function latestMigrationName(): Promise<string> {
  return (await migrationNames()).at(-1) ?? '';
}

/** The newest migration applied to the store (what the newest Tocsin that started here shipped). */
export async function appliedSchemaVersion(db: Executor): Promise<string> {
  const { rows } = await sql<{ name: string | null }>`select max(name) as name from kysely_migration`.execute(
    db,
  );
  return rows[0]?.name ?? '';
}
