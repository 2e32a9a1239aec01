import { loadEnv } from '../config/env.ts';
import { DatabaseClock } from '../db/clock.ts';
import { calibrateClock, openStore } from '../db/store.ts';
import { type ApplyResult, applyDocuments, invalidDocuments } from '../domain/config/apply-documents.ts';
import { type ConfigSource, parseConfigSources } from '../domain/config/documents.ts';
import { makeCtx, SYSTEM_ACTOR } from '../domain/context.ts';
import { progress } from './output.ts';

/** Progress on stderr for large applies: every PROGRESS_EVERY documents and at the end. */
const PROGRESS_EVERY = 500;
function reportProgress(): (done: number, total: number) => void {
  let shown = 0;
  return (done, total) => {
    if (total < PROGRESS_EVERY || (done - shown < PROGRESS_EVERY && done < total)) return;
    shown = done;
    progress(`applied ${done}/${total} documents`);
    if (done === total && process.stderr.isTTY) process.stderr.write('\n');
  };
}

/** Checking (parsing) is most of a large apply's time: reported every CHECK_EVERY files from PROGRESS_FROM files. */
const PROGRESS_FROM = 20;
const CHECK_EVERY = 10;
function checkProgress(): ((done: number, total: number) => void) | undefined {
  return (done, total) => {
    if (total < PROGRESS_FROM || (done % CHECK_EVERY !== 0 && done < total)) return;
    progress(`checked ${done}/${total} files`);
    if (done === total && process.stderr.isTTY) process.stderr.write('\n');
  };
}

// Loaded only when `tocsin apply` runs without a server, so other commands start without the store.

/** Without a server: the local store (embedded PostgreSQL, or DATABASE_URL), as the system actor. */
export async function applyLocally(
  sources: ConfigSource[],
  dryRun: boolean,
  announce: (store: string) => void,
): Promise<ApplyResult> {
  // Invalid documents are reported before the store is opened (starting it can take seconds);
  // applyDocuments checks them again, the same way, inside.
  const { documents, errors } = parseConfigSources(sources, checkProgress());
  if (errors.length > 0) throw invalidDocuments(errors);
  const env = loadEnv();
  announce(env.DATABASE_URL ? 'DATABASE_URL' : `embedded PostgreSQL in ${env.TOCSIN_DATA_DIR}`);
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
    if (documents.length >= PROGRESS_EVERY) progress(`applying ${documents.length} documents`);
    return await applyDocuments({ ctx, input: { sources, dryRun, onProgress: reportProgress() } });
  } finally {
    await store.close();
  }
}
