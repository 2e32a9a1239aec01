import { loadEnv } from '../config/env.ts';
import { DatabaseClock } from '../db/clock.ts';
import { calibrateClock, openStore } from '../db/store.ts';
import { type ApplyResult, applyDocuments, invalidDocuments } from '../domain/config/apply-documents.ts';
import { type ConfigSource, parseConfigSources } from '../domain/config/documents.ts';
import { makeCtx, SYSTEM_ACTOR } from '../domain/context.ts';

// Loaded only when `tocsin apply` runs without a server, so other commands start without the store.

/** Without a server: the local store (embedded PostgreSQL, or DATABASE_URL), as the system actor. */
export async function applyLocally(sources: ConfigSource[], dryRun: boolean): Promise<ApplyResult> {
  // Invalid documents are reported before the store is opened (starting it can take seconds);
  // applyDocuments checks them again, the same way, inside.
  const { errors } = parseConfigSources(sources);
  if (errors.length > 0) throw invalidDocuments(errors);
  const env = loadEnv();
  const store = await openStore({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.TOCSIN_DATA_DIR,
    poolSize: 2,
    log: (msg) => process.stderr.write(`${msg}\n`),
  });
  try {
    const clock = new DatabaseClock();
    await calibrateClock(store.db, clock);
    const ctx = makeCtx({ db: store.db, clock }, SYSTEM_ACTOR);
    return await applyDocuments({ ctx, input: { sources, dryRun } });
  } finally {
    await store.close();
  }
}
