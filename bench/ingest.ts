import { type ChildProcess, spawn } from 'node:child_process';
import pg from 'pg';
import { type ServerHandle, startServer } from '../scripts/lib/tocsin-process.ts';
import { ensureDatabase, withDatabase } from '../src/db/connect.ts';
import { freePort } from '../src/db/embedded.ts';
import { clusterCpuMs, cpuMs, postmasterOf } from './proc.ts';
import { embeddedStore, pg15Store, type Store } from './stores.ts';
import { ensureWrk, runWrk, type WrkResult } from './wrk.ts';

// Ingestion through HTTP at /v2/enqueue (issue 4, "Benchmark"): wrk with 32 connections and ~1 KB
// bodies, a bounded number of requests per case, (a) new alerts (a distinct dedup key each) and
// (b) repeats of one dedup key, on the embedded PostgreSQL and on Debian's PostgreSQL 15, next to two
// baselines measured in the same run on the same server: bare Fastify answering 202 without storing,
// and Fastify doing one INSERT … ON CONFLICT per request through pg. After every case the store is
// counted: what it holds must equal what was answered 202 (and 429: shed repeats are counted too).
//
// Tocsin runs with --role api (no engine) so the figures are the ingestion path's alone, and with
// DATABASE_URL pointing at the PostgreSQL started here (the embedded one is the same binaries and
// settings `tocsin serve` starts itself), so the bench can count what the store holds.
//
// Besides rates, each case reports the CPU it cost: milliseconds of CPU (server process plus every
// process of the PostgreSQL cluster, from /proc) per 1,000 requests. Other work on a shared 2-core
// machine moves the rates from run to run; the CPU a request costs moves much less, so it is what
// tells two designs apart.

const REQUESTS = Number(process.env.BENCH_INGEST_REQUESTS ?? 20_000);
const WARMUP = Number(process.env.BENCH_INGEST_WARMUP ?? 3_000);
const CONNECTIONS = Number(process.env.BENCH_INGEST_CONNECTIONS ?? 32);
// Each case runs this many times and the median (by alerts/s) is shown: a 2-core machine shared
// with other work is noisy. Every run is checked for lost alerts.
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 3);

interface Row {
  store: string;
  server: string;
  scenario: 'new' | 'repeat';
  r: WrkResult;
  stored: number;
  lost: number;
  /** CPU ms per 1,000 requests: server process, PostgreSQL (NaN where /proc is unreadable). */
  cpu: { app: number; pg: number };
  /** Median over rounds of this run's rate / the bare upsert's rate in the same round. */
  ratio?: number | undefined;
}

export interface Target {
  url: string;
  routingKey: string;
  /** The server's process id (its CPU is counted). */
  pid: number;
  /** What the store holds for these keys: alerts counted (sum of counts). */
  stored(mode: 'new' | 'repeat', key: string): Promise<number>;
  stop(): Promise<void>;
}

async function query(url: string, text: string, values: unknown[]): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string | null }>(text, values);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`baseline server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {}
    if (Date.now() > until) throw new Error('baseline server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A baseline server (bench/baselines/*.ts) in its own process on a loopback port. `table`: where it
 * stores its alerts (bench_alerts: one row a dedup key with a count; floor_events: one row an event).
 */
export async function startBaseline(
  file: string,
  databaseUrl?: string,
  table: 'bench_alerts' | 'floor_events' = 'bench_alerts',
): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    env: { ...process.env, BENCH_PORT: String(port), BENCH_DATABASE_URL: databaseUrl ?? '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child);
  if (databaseUrl) await query(databaseUrl, `truncate ${table}`, []);
  const counted = table === 'bench_alerts' ? 'sum(count)' : 'count(*)';
  return {
    url,
    pid: child.pid ?? 0,
    routingKey:
      table === 'bench_alerts' ? 'baseline0000000000000000000000000' : 'floor00000000000000000000000000000',
    async stored(mode, key) {
      if (!databaseUrl) return Number.NaN;
      return mode === 'new'
        ? query(databaseUrl, `select ${counted} as n from ${table} where dedup_key like $1`, [`${key}-%`])
        : query(databaseUrl, `select ${counted} as n from ${table} where dedup_key = $1`, [key]);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

async function call(server: ServerHandle, method: string, path: string, body: unknown) {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
  return json;
}

async function startTocsin(databaseUrl: string, env: Record<string, string>): Promise<Target> {
  const server = await startServer({ DATABASE_URL: databaseUrl, ...env }, ['--role', 'api']);
  const name = `bench-${Math.random().toString(36).slice(2, 8)}`;
  await call(server, 'POST', '/api/v1/services', { name });
  const created = await call(server, 'POST', `/api/v1/services/${name}/integrations`, { type: 'pagerduty' });
  const routingKey = (created.integration as { key: string }).key;
  return {
    url: server.url,
    pid: server.pid,
    routingKey,
    stored: (mode, key) => storedAlerts(databaseUrl, mode, key),
    stop: () => server.stop(),
  };
}

/** What Tocsin's store holds for wrk's keys: alerts counted (sum of counts), as Target.stored. */
export function storedAlerts(databaseUrl: string, mode: 'new' | 'repeat', key: string): Promise<number> {
  return mode === 'new'
    ? query(databaseUrl, 'select sum(count) as n from alerts where dedup_key like $1', [`${key}-%`])
    : query(databaseUrl, 'select sum(count) as n from alerts where dedup_key = $1', [key]);
}

let runs = 0;

interface Measured {
  r: WrkResult;
  stored: number;
  /** Runs whose store count differed from what was answered 202/429. */
  lost: number;
  cpu: { app: number; pg: number };
}

type Scenario = 'new' | 'repeat';

async function warmUp(target: Target, mode: Scenario): Promise<void> {
  // JIT, connections, caches: with keys of its own, not counted.
  const key = `warm-${mode}-${++runs}-${Date.now().toString(36)}`;
  await runWrk({
    url: target.url,
    routingKey: target.routingKey,
    mode,
    connections: CONNECTIONS,
    key,
    requests: WARMUP,
  });
}

/** One counted run: rate, latency, CPU, and whether the store holds exactly what was answered. */
async function measureOnce(target: Target, mode: Scenario, postmaster: number): Promise<Measured> {
  const key = `${mode}-${++runs}-${Date.now().toString(36)}`;
  const before = { app: cpuMs(target.pid), pg: clusterCpuMs(postmaster) };
  const r = await runWrk({
    url: target.url,
    routingKey: target.routingKey,
    mode,
    connections: CONNECTIONS,
    key,
    requests: REQUESTS,
  });
  const per1k = (ms: number) => (ms / REQUESTS) * 1000;
  const cpu = { app: per1k(cpuMs(target.pid) - before.app), pg: per1k(clusterCpuMs(postmaster) - before.pg) };
  const stored = await target.stored(mode, key);
  const lost = !Number.isNaN(stored) && stored !== r.accepted + r.shed ? 1 : 0;
  return { r, stored, lost, cpu };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** The median run (by rate), the lost count over all runs, and the median CPU. */
function summarise(runs: Measured[]): Measured {
  const byRate = [...runs].sort((a, b) => a.r.rps - b.r.rps);
  const mid = byRate[Math.floor(byRate.length / 2)] as Measured;
  return {
    ...mid,
    lost: runs.reduce((n, m) => n + m.lost, 0),
    cpu: { app: median(runs.map((m) => m.cpu.app)), pg: median(runs.map((m) => m.cpu.pg)) },
  };
}

const BASELINE = 'bare upsert (pg, 1 tx/request)';

// All servers of a store run side by side and the rounds are interleaved — round 1 of every server,
// then round 2 … — so a server and the baseline it is compared with are measured minutes apart at
// most, not a whole store's cases apart: on a machine others share, load changes within minutes.
// The ratio shown is the median of the per-round ratios to the baseline's run of the same round.
async function storeRows(store: Store): Promise<Row[]> {
  const baselineDb = withDatabase(store.url, 'bench_baseline');
  await ensureDatabase(store.url, 'bench_baseline');
  // A database per Tocsin server: each start bootstraps its own admin token.
  const tocsinDb = async (name: string) => {
    await ensureDatabase(store.url, name);
    return withDatabase(store.url, name);
  };
  const postmaster = await postmasterOf(store.url);
  const servers: [string, () => Promise<Target>][] = [
    ['bare Fastify, no store', () => startBaseline('bench/baselines/bare.ts')],
    [BASELINE, () => startBaseline('bench/baselines/upsert.ts', baselineDb)],
    ['Tocsin (group commit)', async () => startTocsin(await tocsinDb('bench_tocsin'), {})],
    [
      'Tocsin, no per-key limit',
      async () => startTocsin(await tocsinDb('bench_tocsin_nolimit'), { TOCSIN_INGEST_KEY_RATE: '0' }),
    ],
  ];
  const started: [string, Target][] = [];
  try {
    for (const [server, start] of servers) started.push([server, await start()]);
    const cases = (['new', 'repeat'] as const).flatMap((scenario) =>
      started
        .filter(([server]) => scenario === 'repeat' || !server.includes('no per-key'))
        .map(([server, target]) => ({ server, target, scenario, runs: [] as Measured[] })),
    );
    for (const c of cases) await warmUp(c.target, c.scenario);
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases) c.runs.push(await measureOnce(c.target, c.scenario, postmaster));
    }
    const rows: Row[] = [];
    for (const c of cases) {
      const base = cases.find((b) => b.server === BASELINE && b.scenario === c.scenario);
      const ratio =
        c.server.startsWith('bare Fastify') || !base
          ? undefined
          : median(c.runs.map((m, i) => m.r.rps / (base.runs[i] as Measured).r.rps));
      const { r, stored, lost, cpu } = summarise(c.runs);
      const row: Row = {
        store: store.name,
        server: c.server,
        scenario: c.scenario,
        r,
        stored,
        lost,
        cpu,
        ratio,
      };
      rows.push(row);
      console.log(format(row));
    }
    return rows;
  } finally {
    for (const [, target] of started) await target.stop();
  }
}

const header = `${'server'.padEnd(32)} ${'case'.padEnd(8)} ${'alerts/s'.padStart(9)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'202'.padStart(6)} ${'429'.padStart(6)} ${'other'.padStart(5)} ${'stored'.padStart(7)}  lost  ${'vs bare upsert'.padEnd(14)}  CPU ms/1k requests (server + PostgreSQL)`;

function format(row: Row): string {
  const { r } = row;
  const counted = r.accepted + r.shed;
  const lost = Number.isNaN(row.stored)
    ? '  - '
    : row.lost === 0
      ? ' 0  '
      : `${row.lost}/${ROUNDS} runs! (${counted - row.stored})`;
  const ratio = row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}x`;
  const { app, pg: db } = row.cpu;
  const cpu = Number.isNaN(app) ? '-' : `${app.toFixed(0)} + ${Number.isNaN(db) ? '-' : db.toFixed(0)}`;
  return `${row.server.padEnd(32)} ${row.scenario.padEnd(8)} ${r.rps.toFixed(0).padStart(9)} ${r.p50.toFixed(1).padStart(7)} ${r.p99.toFixed(1).padStart(7)} ${String(r.accepted).padStart(6)} ${String(r.shed).padStart(6)} ${String(r.other + r.socketErrors).padStart(5)} ${(Number.isNaN(row.stored) ? '-' : String(row.stored)).padStart(7)}  ${lost}  ${ratio.padEnd(14)}  ${cpu}`;
}

/** Runs every case on both stores and prints the table; returns false if any alert was lost. */
export async function benchIngest(): Promise<boolean> {
  if (!ensureWrk()) {
    console.log('ingestion benchmark: skipped (needs wrk: apt-get install -y wrk)');
    return true;
  }
  console.log(
    `\ningestion at POST /v2/enqueue: wrk, 1 thread, ${CONNECTIONS} connections, ${REQUESTS} requests per run (after ${WARMUP} warm-up), median of ${ROUNDS} runs, ~1 KB bodies`,
  );
  const all: Row[] = [];
  for (const open of [embeddedStore, pg15Store]) {
    const store = await open();
    if (typeof store === 'string') {
      console.log(`\nDebian PostgreSQL 15: ${store}`);
      continue;
    }
    console.log(`\n${store.name}\n${header}`);
    try {
      all.push(...(await storeRows(store)));
    } finally {
      await store.stop();
    }
  }
  const lost = all.filter((row) => row.lost > 0);
  for (const row of lost) console.log(`LOST ALERTS: ${format(row)}`);
  return lost.length === 0;
}
