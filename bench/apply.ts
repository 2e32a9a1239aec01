import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../scripts/lib/tocsin-process.ts';
import { VirtualClock } from '../src/db/clock.ts';
import { connect, ensureDatabase, withDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { applyDocuments } from '../src/domain/config/apply-documents.ts';
import { type ConfigSource, parseConfigSources } from '../src/domain/config/documents.ts';
import { makeCtx, SYSTEM_ACTOR } from '../src/domain/context.ts';
import { cpuMs } from './proc.ts';
import { embeddedStore, type Store } from './stores.ts';

// `tocsin apply` of many documents (issue 14: 8,000 User documents took 64 s): BENCH_APPLY_DOCS
// (default 8,000) new `User` documents in files of 100, applied in-process as the CLI applies them
// locally (parse and check, then applyDocuments), then applied again unchanged. Prints the time and
// this process's CPU of each phase (PostgreSQL's apart): parsing the YAML with positions and
// validating, the first apply (which parses again only if the sources changed), the unchanged apply.
// Then the real command end to end, as a user runs it (benchApplyCli): `node dist/main.js apply -f DIR`
// on the same 80 files, once against the local embedded store (no server: it starts PostgreSQL, applies,
// stops it) and once against a running `tocsin serve` (--url, one HTTP request), each on a fresh store
// initialised beforehand. `npm run bench -- --apply`.

const DOCS = Number(process.env.BENCH_APPLY_DOCS ?? 8_000);
const PER_FILE = 100;

function userDoc(i: number): string {
  return `apiVersion: tocsin.dev/v1
kind: User
metadata: { name: person-${i} }
spec:
  name: Person ${i}
  email: person-${i}@example.com
  role: responder
  timeZone: Europe/Berlin
`;
}

export function userSources(docs = DOCS): ConfigSource[] {
  const sources: ConfigSource[] = [];
  for (let f = 0; f * PER_FILE < docs; f++) {
    const count = Math.min(PER_FILE, docs - f * PER_FILE);
    const content = Array.from({ length: count }, (_, k) => userDoc(f * PER_FILE + k)).join('---\n');
    sources.push({ file: `people-${f}.yaml`, content });
  }
  return sources;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, ms: performance.now() - t0, cpuMs: (used.user + used.system) / 1000 };
}

export async function benchApply(store?: Store): Promise<void> {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    `\ntocsin apply of ${DOCS} new User documents in ${Math.ceil(DOCS / PER_FILE)} files, in-process, embedded PostgreSQL (load average ${load})`,
  );
  const own = store ?? (await embeddedStore('tocsin-bench-apply-'));
  try {
    await ensureDatabase(own.url, 'bench_apply');
    const { db } = connect(withDatabase(own.url, 'bench_apply'), 2);
    try {
      await migrate(db);
      const ctx = makeCtx({ db, clock: new VirtualClock('2026-03-02T10:00:00Z') }, SYSTEM_ACTOR);
      const sources = userSources();
      const parse = await timed(() => parseConfigSources(sources));
      if (parse.value.errors.length > 0) throw new Error(JSON.stringify(parse.value.errors[0]));
      const first = await timed(() => applyDocuments({ ctx, input: { sources, dryRun: false } }));
      const again = await timed(() =>
        applyDocuments({ ctx, input: { sources: userSources(), dryRun: false } }),
      );
      const row = (what: string, r: { ms: number; cpuMs: number }) =>
        console.log(
          `  ${what.padEnd(44)} ${(r.ms / 1000).toFixed(2).padStart(7)} s  CPU ${(r.cpuMs / 1000).toFixed(2).padStart(6)} s`,
        );
      row('parse and check (YAML with positions, zod)', parse);
      row('apply, new users (parsed above)', first);
      row('apply again, unchanged (parses again)', again);
      console.log(`  total, parse + first apply: ${((parse.ms + first.ms) / 1000).toFixed(2)} s`);
    } finally {
      await db.destroy();
    }
  } finally {
    if (!store) await own.stop();
  }
}

interface CliRun {
  ms: number;
  /** CPU of the `tocsin apply` process (user + system, /usr/bin/time). */
  cpuMs: number;
  created: number;
  progressLines: number;
  stderrTail: string;
}

/** Runs `node dist/main.js apply -f dir` under /usr/bin/time; counts the created lines and progress lines. */
function runApplyCli(dir: string, env: Record<string, string>, args: string[] = []): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      '/usr/bin/time',
      ['-f', 'TIME %U %S', process.execPath, 'dist/main.js', 'apply', '-f', dir, ...args],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`tocsin apply exited with ${code}: ${err.slice(-2000)}`));
      const [, user, system] = /TIME ([\d.]+) ([\d.]+)/.exec(err) ?? [];
      resolve({
        ms,
        cpuMs: (Number(user) + Number(system)) * 1000,
        created: out.split('\n').filter((l) => / created$/.test(l)).length,
        progressLines: err.split('\n').filter((l) => /^(reading|checked|applying|applied|sending) /.test(l))
          .length,
        stderrTail: err.trim().split('\n').slice(-3).join(' | '),
      });
    });
  });
}

function runCommand(args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/main.js', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} → ${code}`))));
  });
}

/** `tocsin apply -f DIR` of the same documents as the real CLI (dist/), local store and server. */
export async function benchApplyCli(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-apply-cli-'));
  try {
    const docs = join(dir, 'docs');
    mkdirSync(docs);
    for (const s of userSources()) writeFileSync(join(docs, s.file), s.content);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(
      `\`tocsin apply -f DIR\` (node dist/main.js), ${DOCS} new User documents in ${Math.ceil(DOCS / PER_FILE)} files, fresh store each (load average ${load})`,
    );
    const row = (what: string, r: CliRun, extra = '') =>
      console.log(
        `  ${what.padEnd(44)} ${(r.ms / 1000).toFixed(2).padStart(7)} s  CPU ${(r.cpuMs / 1000).toFixed(2).padStart(6)} s  created ${r.created}  progress lines on stderr ${r.progressLines}${extra}`,
      );
    // Local store: initialised and migrated first (`tocsin migrate`), as after a first `tocsin serve`.
    const dataDir = join(dir, 'data');
    await runCommand(['migrate'], { TOCSIN_DATA_DIR: dataDir });
    const local = await runApplyCli(docs, { TOCSIN_DATA_DIR: dataDir, TOCSIN_URL: '' });
    row('local embedded store (starts PostgreSQL)', local);
    if (local.created !== DOCS)
      throw new Error(`local apply created ${local.created} of ${DOCS}: ${local.stderrTail}`);
    const server = await startServer({});
    try {
      const before = cpuMs(server.pid);
      const remote = await runApplyCli(docs, { TOCSIN_URL: server.url, TOCSIN_TOKEN: server.token });
      const serverCpu = cpuMs(server.pid) - before;
      row('against `tocsin serve` (--url)', remote, `  server CPU ${(serverCpu / 1000).toFixed(2)} s`);
      if (remote.created !== DOCS)
        throw new Error(`apply created ${remote.created} of ${DOCS}: ${remote.stderrTail}`);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchApply();
  await benchApplyCli();
}
