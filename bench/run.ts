import { readFileSync } from 'node:fs';
import { type LoadResult, load } from '../scripts/lib/load.ts';
import { startPostgres15 } from '../scripts/lib/pg15.ts';
import { startServer } from '../scripts/lib/tocsin-process.ts';
import { ensureDatabase, withDatabase } from '../src/db/connect.ts';
import { benchApply, benchApplyCli } from './apply.ts';
import { benchConsole } from './console.ts';
import { benchIncidentWritePath } from './incidents.ts';
import { benchIngest, startBaseline } from './ingest.ts';
import { benchLists } from './lists.ts';
import { benchMemory } from './memory.ts';
import { benchPaging } from './paging.ts';
import { benchPeer } from './peer.ts';
import { clusterCpuMs, cpuMs, postmasterOf } from './proc.ts';
import { benchReports } from './reports.ts';
import { benchStart } from './start.ts';
import { benchStatements } from './statements.ts';
import { benchStatusPage } from './status-page.ts';
import { embeddedStore } from './stores.ts';
import { benchSubscribers } from './subscribers.ts';
import { countWriteStatements, reportWriteStatements } from './write-statements.ts';

// npm run bench: the incident write path on the embedded store and on Debian's PostgreSQL 15
// (scripts/system-deps.sh), printed side by side with the ratio to the embedded baseline; then alert
// ingestion (bench/ingest.ts), which fails the run if any accepted alert is missing from the store.
// `npm run bench -- --ingest` runs the ingestion part only (flags at the end of this file).
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 600);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

function row(name: string, r: LoadResult, base?: LoadResult, cpu?: CpuPerRequest): string {
  const ratio = base ? `${(r.rps / base.rps).toFixed(2)}x` : '1.00x (baseline)';
  const used = cpu ? `  CPU/request ${cpu.server.toFixed(0)} µs + PostgreSQL ${cpu.pg.toFixed(0)} µs` : '';
  return `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99
    .toFixed(1)
    .padStart(6)} ms  errors ${r.errors}  ${ratio}${used}`;
}

/** CPU per request in µs: the server process (Tocsin's engine included) and the PostgreSQL cluster. */
interface CpuPerRequest {
  server: number;
  pg: number;
}

/** Runs `work` (n requests) and returns its result with the CPU the server and the cluster spent. */
async function withCpu(
  serverPid: number,
  postmaster: number,
  requests: number,
  work: () => Promise<LoadResult>,
): Promise<[LoadResult, CpuPerRequest]> {
  const before = { server: cpuMs(serverPid), pg: clusterCpuMs(postmaster) };
  const r = await work();
  const per = (after: number, was: number) => ((after - was) * 1000) / requests;
  return [r, { server: per(cpuMs(serverPid), before.server), pg: per(clusterCpuMs(postmaster), before.pg) }];
}

const WRITE_ROUNDS = Number(process.env.BENCH_WRITE_ROUNDS ?? 3);

/** One new alert per request to the bare upsert baseline: a single-row durable write through HTTP. */
function upsertRound(url: string, round: number): Promise<LoadResult> {
  return load(ITERATIONS * 3, CONCURRENCY, async (i, timed) => {
    await timed(async () => {
      const res = await fetch(`${url}/v2/enqueue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          dedup_key: `w${round}-${i}`,
          event_action: 'trigger',
          payload: { summary: 'x' },
        }),
      });
      if (res.status !== 202) throw new Error(`upsert answered ${res.status}`);
      await res.arrayBuffer();
    });
  });
}

const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function main() {
  const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    `\nincident write path (declare + transition + note), ${ITERATIONS} incidents, ${CONCURRENCY} clients, ${WRITE_ROUNDS} rounds interleaved with the bare single-row upsert (${ITERATIONS * 3} requests) on the same embedded PostgreSQL (load average ${load1})`,
  );
  const store = await embeddedStore('tocsin-bench-writes-');
  let base: LoadResult;
  try {
    await ensureDatabase(store.url, 'bench_writes');
    await ensureDatabase(store.url, 'bench_upsert');
    const embedded = await startServer({ DATABASE_URL: withDatabase(store.url, 'bench_writes') });
    const upsert = await startBaseline('bench/baselines/upsert.ts', withDatabase(store.url, 'bench_upsert'));
    try {
      const ratios: number[] = [];
      const runs: LoadResult[] = [];
      const postmaster = await postmasterOf(store.url);
      for (let round = 0; round < WRITE_ROUNDS; round++) {
        const [u, uCpu] = await withCpu(upsert.pid, postmaster, ITERATIONS * 3, () =>
          upsertRound(upsert.url, round),
        );
        // The server's engine reacts to each declared incident meanwhile (its CPU is counted too);
        // the 20 warm-up incidents' CPU is counted in as well.
        const [r, rCpu] = await withCpu(embedded.pid, postmaster, ITERATIONS * 3, () =>
          benchIncidentWritePath(embedded, ITERATIONS, CONCURRENCY),
        );
        console.log(row(`  round ${round + 1} Tocsin`, r, u, rCpu));
        console.log(row(`  round ${round + 1} bare upsert`, u, undefined, uCpu));
        ratios.push(r.rps / u.rps);
        runs.push(r);
      }
      base = [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)] as LoadResult;
      console.log(
        `${row('embedded PostgreSQL (median)', base)}  ${medianOf(ratios).toFixed(2)}x of the bare upsert (median of rounds)`,
      );
    } finally {
      await upsert.stop();
      await embedded.stop();
    }
  } finally {
    await store.stop();
  }
  let pg: Awaited<ReturnType<typeof startPostgres15>> | undefined;
  try {
    pg = await startPostgres15();
  } catch (error) {
    console.log(
      `external PostgreSQL 15: skipped (${(error as Error).message.split('\n')[0]}); run scripts/system-deps.sh`,
    );
    return;
  }
  try {
    const external = await startServer({ DATABASE_URL: pg.url.replace(/\/postgres$/, '/postgres') });
    try {
      const r = await benchIncidentWritePath(external, ITERATIONS, CONCURRENCY);
      console.log(row('external PostgreSQL 15 (Debian)', r, base));
    } finally {
      await external.stop();
    }
  } finally {
    pg.stop();
  }
}

// Parts: --start (bench/start.ts), --writes (incident writes, above), --lists (bench/lists.ts),
// --ingest (bench/ingest.ts), --paging (bench/paging.ts), --peer (bench/peer.ts: Alertmanager side
// by side), --status-page (bench/status-page.ts), --console (bench/console.ts), --reports
// (bench/reports.ts), --statements (bench/statements.ts: round trips per alert on the alert → page
// path, which the machine's load does not move, and per incident write request: bench/write-statements.ts),
// --subscribers (bench/subscribers.ts), --apply (bench/apply.ts: 8,000 User documents), --memory
// (bench/memory.ts: RSS and V8's heap after ingest rounds). Without a flag, every part runs.
const PARTS = [
  'start',
  'writes',
  'lists',
  'ingest',
  'paging',
  'peer',
  'status-page',
  'console',
  'reports',
  'statements',
  'subscribers',
  'apply',
  'memory',
] as const;
const chosen = PARTS.filter((p) => process.argv.includes(`--${p}`));
const runs = (part: (typeof PARTS)[number]) => chosen.length === 0 || chosen.includes(part);
if (runs('start')) await benchStart();
if (runs('writes')) await main();
if (runs('lists')) await benchLists();
if (runs('ingest') && !(await benchIngest())) process.exitCode = 1;
if (runs('paging') && !(await benchPaging())) process.exitCode = 1;
if (runs('peer') && !(await benchPeer())) process.exitCode = 1;
if (runs('status-page') && !(await benchStatusPage())) process.exitCode = 1;
if (runs('console')) await benchConsole();
if (runs('reports')) await benchReports();
if (runs('statements')) {
  await benchStatements();
  reportWriteStatements(await countWriteStatements());
}
if (runs('subscribers') && !(await benchSubscribers())) process.exitCode = 1;
if (runs('apply')) {
  await benchApply();
  await benchApplyCli();
}
if (runs('memory')) await benchMemory();
