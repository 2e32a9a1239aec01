import type { LoadResult } from '../scripts/lib/load.ts';
import { startPostgres15 } from '../scripts/lib/pg15.ts';
import { startServer } from '../scripts/lib/tocsin-process.ts';
import { benchIncidentWritePath } from './incidents.ts';
import { benchIngest } from './ingest.ts';
import { benchPaging } from './paging.ts';
import { benchStatusPage } from './status-page.ts';

// npm run bench: the incident write path on the embedded store and on Debian's PostgreSQL 15
// (scripts/system-deps.sh), printed side by side with the ratio to the embedded baseline; then alert
// ingestion (bench/ingest.ts), which fails the run if any accepted alert is missing from the store.
// `npm run bench -- --ingest` runs the ingestion part only.
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 600);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

function row(name: string, r: LoadResult, base?: LoadResult): string {
  const ratio = base ? `${(r.rps / base.rps).toFixed(2)}x` : '1.00x (baseline)';
  return `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99
    .toFixed(1)
    .padStart(6)} ms  errors ${r.errors}  ${ratio}`;
}

async function main() {
  console.log(
    `incident write path (declare + transition + note), ${ITERATIONS} incidents, ${CONCURRENCY} clients`,
  );
  const embedded = await startServer({});
  let base: LoadResult;
  try {
    base = await benchIncidentWritePath(embedded, ITERATIONS, CONCURRENCY);
    console.log(row('embedded PostgreSQL', base));
  } finally {
    await embedded.stop();
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

// `--paging` runs the paging part only (bench/paging.ts): trigger → page latency, engine throughput.
const pagingOnly = process.argv.includes('--paging');
// `--status-page` runs the status page part only (bench/status-page.ts).
if (process.argv.includes('--status-page')) {
  if (!(await benchStatusPage())) process.exitCode = 1;
  process.exit();
}
if (!process.argv.includes('--ingest') && !pagingOnly) await main();
if (!pagingOnly && !(await benchIngest())) process.exitCode = 1;
if (!process.argv.includes('--ingest') && !(await benchPaging())) process.exitCode = 1;
if (!process.argv.includes('--ingest') && !pagingOnly && !(await benchStatusPage())) process.exitCode = 1;
