import { connect, ensureDatabase, withDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { CLAIM_BATCH, type DrainResult, engineDrainRate, rawClaimRate } from './outbox-throughput.ts';
import { type LatencyResult, measurePagingLatency } from './paging-latency.ts';
import { embeddedStore, pg15Store, type Store } from './stores.ts';

// The paging benchmark (issue 5, "Benchmark"), on the embedded PostgreSQL and on Debian's
// PostgreSQL 15, each figure next to the raw outbox claim rate of the same PostgreSQL in the same run:
// 1. trigger → first page handed to the provider, p50/p99, at a fixed rate of declared incidents
//    (bench/paging-latency.ts; target p99 < 1 s);
// 2. engine throughput draining queued messages vs the raw claim rate (bench/outbox-throughput.ts;
//    target ≥ 50 %).
// Every case runs ROUNDS times and the median is shown: this 2-core machine is shared.
// `npm run bench -- --only paging` runs this part alone.

const RATE = Number(process.env.BENCH_PAGING_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_PAGING_SECONDS ?? 20);
const MESSAGES = Number(process.env.BENCH_PAGING_MESSAGES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_PAGING_ROUNDS ?? 3);
// The wake-up check: at a low rate the engine is idle between incidents, so a page that waited for
// the poll interval (1 s) would show; with LISTEN/NOTIFY the p50 stays far below it.
const LOW_RATE = Number(process.env.BENCH_PAGING_LOW_RATE ?? 5);

function median<T>(items: T[], by: (t: T) => number): T {
  const sorted = [...items].sort((a, b) => by(a) - by(b));
  return sorted[Math.floor(sorted.length / 2)] as T;
}

interface StoreFigures {
  store: string;
  raw: DrainResult;
  engine: DrainResult;
  /** Median of each run's engine/raw (the two ran back to back, under the same load from elsewhere). */
  ratio: number;
  latency: LatencyResult;
  /** One run at LOW_RATE. */
  lowRate: LatencyResult;
  /** Pages that never arrived or declarations refused, over all rounds. */
  failures: number;
}

async function measureStore(store: Store): Promise<StoreFigures> {
  await ensureDatabase(store.url, 'bench_outbox');
  const outboxUrl = withDatabase(store.url, 'bench_outbox');
  const { db } = connect(outboxUrl, 2);
  await migrate(db);
  await db.destroy();
  const raws: DrainResult[] = [];
  const engines: DrainResult[] = [];
  const latencies: LatencyResult[] = [];
  // Interleaved, so a burst of load from elsewhere hits both sides of a ratio alike.
  for (let round = 0; round < ROUNDS; round++) {
    raws.push(await rawClaimRate(outboxUrl, MESSAGES));
    engines.push(await engineDrainRate(outboxUrl, MESSAGES));
    // A database per Tocsin server: each start bootstraps its own admin token.
    const name = `bench_paging_${round}`;
    await ensureDatabase(store.url, name);
    latencies.push(await measurePagingLatency(withDatabase(store.url, name), RATE, SECONDS));
    const [raw, engine, latency] = [raws.at(-1), engines.at(-1), latencies.at(-1)] as [
      DrainResult,
      DrainResult,
      LatencyResult,
    ];
    console.log(
      `  ${store.name}, run ${round + 1}/${ROUNDS}: raw claim ${raw.rate.toFixed(0)} msg/s, engine ${engine.rate.toFixed(0)} msg/s, page p50 ${latency.p50.toFixed(0)} ms p99 ${latency.p99.toFixed(0)} ms, missing ${latency.missing}`,
    );
  }
  await ensureDatabase(store.url, 'bench_paging_low');
  const lowRate = await measurePagingLatency(withDatabase(store.url, 'bench_paging_low'), LOW_RATE, 10);
  latencies.push(lowRate);
  return {
    store: store.name,
    lowRate,
    raw: median(raws, (r) => r.rate),
    engine: median(engines, (r) => r.rate),
    ratio: median(
      engines.map((e, i) => e.rate / (raws[i] as DrainResult).rate),
      (r) => r,
    ),
    latency: median(latencies.slice(0, -1), (r) => r.p99),
    failures: latencies.reduce((n, l) => n + l.missing + l.errors, 0),
  };
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '-').padStart(7);
const perSecond = (v: number) => v.toFixed(0).padStart(9);

function latencyHeader(): string {
  return `${'store'.padEnd(28)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)} ${'p99 from send'.padStart(13)} ${'declared/s'.padStart(10)} ${'pages/inc'.padStart(9)} ${'missing'.padStart(7)}  ${'raw claim msg/s'.padStart(15)}  p99 < 1 s`;
}

function latencyRow(f: StoreFigures, l: LatencyResult, name: string): string {
  return `${name.padEnd(28)} ${ms(l.p50)} ${ms(l.p99)} ${ms(l.max)} ${ms(l.p99FromSend).padStart(13)} ${l.achievedRate.toFixed(0).padStart(10)} ${l.pagesPerIncident.toFixed(2).padStart(9)} ${String(l.missing).padStart(7)}  ${perSecond(f.raw.rate).padStart(15)}  ${l.p99 < 1000 ? 'yes' : 'NO'}`;
}

function throughputHeader(): string {
  return `${'store'.padEnd(28)} ${'engine msg/s'.padStart(12)} ${'raw claim msg/s'.padStart(15)}  engine/raw (median of runs; target ≥ 0.50)`;
}

function throughputRow(f: StoreFigures): string {
  const ratio = f.ratio;
  return `${f.store.padEnd(28)} ${perSecond(f.engine.rate).padStart(12)} ${perSecond(f.raw.rate).padStart(15)}  ${ratio.toFixed(2)}x${ratio >= 0.5 ? '' : '  below target'}`;
}

/** Runs both parts on both stores and prints the tables; false if a page was lost or refused. */
export async function benchPaging(): Promise<boolean> {
  const figures: StoreFigures[] = [];
  for (const open of [embeddedStore, pg15Store]) {
    const store = await open();
    if (typeof store === 'string') {
      console.log(`paging benchmark, Debian PostgreSQL 15: ${store}`);
      continue;
    }
    try {
      figures.push(await measureStore(store));
    } finally {
      await store.stop();
    }
  }
  console.log(
    `\npaging: trigger (POST /api/v1/incidents answered 201) → first page at the push provider's endpoint (loopback ntfy)\n` +
      `open loop, ${RATE} incidents/s for ${SECONDS} s (after 3 s warm-up), one page per incident, engine poll 1 s + LISTEN/NOTIFY wake-up; the run with the median p99 of ${ROUNDS};\n` +
      `then one run at ${LOW_RATE} incidents/s for 10 s (wake-up check: waiting for the 1 s poll would show in p50)`,
  );
  console.log(latencyHeader());
  for (const f of figures) console.log(latencyRow(f, f.latency, f.store));
  for (const f of figures) console.log(latencyRow(f, f.lowRate, `${f.store}, ${LOW_RATE}/s`));
  console.log(
    `\nengine throughput: ${MESSAGES} queued push messages drained by the Engine + outbox module to an instant provider, vs the raw claim rate\n` +
      `(one connection, SELECT … FOR UPDATE SKIP LOCKED + UPDATE of ${CLAIM_BATCH} rows per transaction, nothing sent); median of ${ROUNDS} runs each`,
  );
  console.log(throughputHeader());
  for (const f of figures) console.log(throughputRow(f));
  const failed = figures.filter((f) => f.failures > 0);
  for (const f of failed)
    console.log(`PAGES LOST OR REFUSED on ${f.store}: ${f.failures} over ${ROUNDS} runs`);
  return failed.length === 0;
}
