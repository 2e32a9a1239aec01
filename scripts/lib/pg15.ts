import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/db/embedded.ts';

// A throwaway cluster of Debian's PostgreSQL 15 (scripts/system-deps.sh installs it), for the system
// tests and the benchmark. PostgreSQL refuses to run as root, so as root it runs as `postgres`.
const BIN = process.env.TOCSIN_PG15_BIN ?? '/usr/lib/postgresql/15/bin';

export interface ExternalPostgres {
  url: string;
  port: number;
  stop(): void;
}

function asPostgres(args: string[]): void {
  const isRoot = process.getuid?.() === 0;
  const [cmd, ...rest] = args as [string, ...string[]];
  if (isRoot) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...rest], { stdio: 'pipe' });
  else execFileSync(cmd, rest, { stdio: 'pipe' });
}

export async function startPostgres15(): Promise<ExternalPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-pg15-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const pwFile = join(dir, 'pw');
  writeFileSync(pwFile, 'tocsin\n', { mode: 0o644 });
  const port = await freePort();
  asPostgres([
    `${BIN}/initdb`,
    '-D',
    data,
    '-U',
    'tocsin',
    '--pwfile',
    pwFile,
    '-A',
    'scram-sha-256',
    '-E',
    'UTF8',
  ]);
  asPostgres([
    `${BIN}/pg_ctl`,
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300`,
    'start',
  ]);
  return {
    url: `postgres://tocsin:tocsin@127.0.0.1:${port}/postgres`,
    port,
    stop() {
      try {
        asPostgres([`${BIN}/pg_ctl`, '-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
