import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres15 } from '../scripts/lib/pg15.ts';
import { startEmbedded } from '../src/db/embedded.ts';

// The two PostgreSQL servers every benchmark compares: the embedded one `npm start` uses, and
// Debian's PostgreSQL 15 (skipped, with the reason, where it is not installed).

export interface Store {
  name: string;
  url: string;
  stop(): Promise<void> | void;
}

export async function embeddedStore(prefix = 'tocsin-bench-pg-'): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const server = await startEmbedded(dir);
  return {
    name: 'embedded PostgreSQL',
    url: server.url,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function pg15Store(): Promise<Store | string> {
  try {
    const server = await startPostgres15();
    return { name: 'Debian PostgreSQL 15', url: server.url, stop: () => server.stop() };
  } catch (error) {
    return `skipped (${(error as Error).message.split('\n')[0]}); run scripts/system-deps.sh`;
  }
}
