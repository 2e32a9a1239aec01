import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../src/db/embedded.ts';

// A throwaway cluster of Debian's PostgreSQL 15 (scripts/system-deps.sh installs it), for the system
// tests and the benchmark. PostgreSQL refuses to run as root, so as root it runs as `postgres`.
const BIN = process.env.TOCSIN_PG15_BIN ?? '/usr/lib/postgresql/15/bin';

export interface ExternalPostgres {
  url: string;
  port: number;
  /** Stops the server and deletes the cluster. */
  stop(): void;
  /** Stops the server (fast shutdown) and keeps its data, so start() can bring it back. */
  shutdown(): Promise<void>;
  /** Starts the server again on the same data and port. */
  start(): Promise<void>;
}

/** The command line that runs args as the `postgres` user when we are root. */
function commandAsPostgres(args: string[]): [string, string[]] {
  const [cmd, ...rest] = args as [string, ...string[]];
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...rest]] : [cmd, rest];
}

function asPostgres(args: string[]): void {
  const [cmd, rest] = commandAsPostgres(args);
  execFileSync(cmd, rest, { stdio: 'pipe' });
}

/** Like asPostgres, without blocking the event loop (callers keep serving requests meanwhile). */
async function asPostgresAsync(args: string[]): Promise<void> {
  const [cmd, rest] = commandAsPostgres(args);
  await promisify(execFile)(cmd, rest);
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
  const startArgs = [
    `${BIN}/pg_ctl`,
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300`,
    'start',
  ];
  const stopArgs = [`${BIN}/pg_ctl`, '-D', data, '-m', 'fast', '-w', 'stop'];
  asPostgres(startArgs);
  let running = true;
  return {
    url: `postgres://tocsin:tocsin@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      if (running) return;
      await asPostgresAsync(startArgs);
      running = true;
    },
    async shutdown() {
      if (!running) return;
      await asPostgresAsync(stopArgs);
      running = false;
    },
    stop() {
      try {
        if (running) asPostgres(stopArgs);
        running = false;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
