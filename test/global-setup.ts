import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { serverBuildIsCurrent } from '../bin/freshness.js';
import { connect, ensureDatabase, withDatabase } from '../src/db/connect.ts';
import { startEmbedded } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/**
 * One PostgreSQL for the whole run: the embedded one (npm test) or TOCSIN_TEST_DATABASE_URL (system
 * tests point it at Debian's PostgreSQL 15). A migrated template database makes each test file's
 * fresh database cheap (CREATE DATABASE … TEMPLATE).
 */
export async function prepareTemplate(adminUrl: string): Promise<void> {
  await ensureDatabase(adminUrl, 'tocsin_template');
  const { db } = connect(withDatabase(adminUrl, 'tocsin_template'), 2);
  try {
    await migrate(db);
  } finally {
    await db.destroy();
  }
}

/**
 * The CLI tests run `bin/tocsin.js` as a user does, about a hundred times a run. With dist/ stale
 * (src/ edited since the last build) each start would compile the sources through tsx, about twice
 * the CPU of starting the compiled build; so a stale dist/ is rebuilt once, before any test runs, and
 * the tests run the CLI that ships. (`npm ci` builds it too; this covers a checkout edited since.)
 */
function buildServerIfStale(): void {
  const root = join(import.meta.dirname, '..', '/');
  if (serverBuildIsCurrent(root)) return;
  execFileSync('npm', ['run', '-s', 'build:server'], { cwd: root, stdio: 'inherit' });
}

interface SharedStore {
  url: string;
  users: number;
  stop(): Promise<void>;
}

// Both vitest projects (shared and isolated module graphs) name this file; their setups run in the one
// vitest process, so they share one PostgreSQL and one template (kept on globalThis, which both
// loadings of this module see) and the last project's teardown stops it.
const slot = globalThis as { tocsinTestStore?: Promise<SharedStore> };

async function startStore(): Promise<SharedStore> {
  buildServerIfStale();
  const external = process.env.TOCSIN_TEST_DATABASE_URL;
  if (external) {
    await prepareTemplate(external);
    return { url: external, users: 0, stop: async () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-test-'));
  const store = await startEmbedded(join(dir, 'data'), undefined, { throwaway: true });
  await prepareTemplate(store.url);
  return {
    url: store.url,
    users: 0,
    async stop() {
      await store.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export default async function setup(project: TestProject) {
  slot.tocsinTestStore ??= startStore();
  const store = await slot.tocsinTestStore;
  store.users += 1;
  project.provide('pgAdminUrl', store.url);
  return async () => {
    store.users -= 1;
    if (store.users > 0) return;
    slot.tocsinTestStore = undefined;
    await store.stop();
  };
}
