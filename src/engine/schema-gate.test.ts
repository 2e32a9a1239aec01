import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { latestMigrationName } from '../db/migrate.ts';
import { Engine, type EngineModule } from './engine.ts';

// Rolling upgrades: the new build migrates the store, and an engine built for another schema stops
// acting instead of racing the new one with old rules.

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
beforeAll(async () => {
  t = await freshDb();
});
afterAll(() => t.close());

function counting(): EngineModule & { runs: number } {
  const module = {
    id: 77,
    name: 'counting',
    runs: 0,
    async tick() {
      module.runs++;
      return 0;
    },
  };
  return module;
}

describe('engine schema gate', () => {
  it('runs on the schema it was built for, and stops once a newer build migrated the store', async () => {
    const lines: { msg: string; level: number; expected?: string }[] = [];
    const log = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _e, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    const current = counting();
    const built = await latestMigrationName();
    const engine = new Engine({ db: t.db, clock, log, schemaVersion: built }, [current]);
    expect((await engine.tick())[0]?.outcome).toBe('ran');
    expect(current.runs).toBe(1);

    // An old binary (built for an earlier schema) does nothing on this store.
    const old = counting();
    const oldEngine = new Engine({ db: t.db, clock, log, schemaVersion: '0001_foundation' }, [old]);
    expect((await oldEngine.tick())[0]?.outcome).toBe('skipped');
    expect(old.runs).toBe(0);

    // A newer build migrated the store (its migration recorded as Kysely's Migrator records it):
    // this one stops acting, and says so once.
    await sql`insert into kysely_migration (name, timestamp) values ('9999_future', now()::text)`.execute(
      t.db,
    );
    await engine.tick();
    await engine.tick();
    expect(current.runs).toBe(1);
    const warned = lines.filter((l) => l.expected === built && l.msg.includes('a newer Tocsin migrated'));
    expect(warned).toHaveLength(1);
  });
});
