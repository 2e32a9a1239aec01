import { readFileSync } from 'node:fs';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/lib/tocsin-process.ts';
import { ensureDatabase, withDatabase } from '../src/db/connect.ts';
import { CHROMIUM_ARGS, signInWithToken } from '../test/system/console/harness.ts';
import { type Measured, seed, wrkGet } from './lists.ts';
import { embeddedStore } from './stores.ts';
import { ensureWrk } from './wrk.ts';

// The web console at 10,000 incidents (issue 12), next to /health on the same server in the same
// minute: the API calls the incident list makes (the console's own query, and the team and "mine"
// filters) with wrk, and the incident page in Chromium — from navigation to the incident's title on
// screen with its data, median of 5. Figures only: nothing here asserts a timing.

const INCIDENTS = Number(process.env.BENCH_CONSOLE_INCIDENTS ?? 10_000);
const PAGE_RUNS = 5;

function row(name: string, m: Measured, health: Measured): string {
  return `${name.padEnd(44)} ${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50.toFixed(1).padStart(6)} ms  p99 ${m.p99
    .toFixed(1)
    .padStart(6)} ms  p99 ${(m.p99 / health.p99).toFixed(1)}x of /health`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export async function benchConsole(): Promise<void> {
  if (!ensureWrk()) {
    console.log('\nconsole: skipped (wrk is not installed: apt-get install wrk)');
    return;
  }
  const store = await embeddedStore('tocsin-bench-console-');
  try {
    await ensureDatabase(store.url, 'bench_console');
    const url = withDatabase(store.url, 'bench_console');
    const server = await startServer({ DATABASE_URL: url });
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const headers = { authorization: `Bearer ${server.token}` };
      const json = { ...headers, 'content-type': 'application/json' };
      await fetch(`${server.url}/api/v1/plans/minimal`, {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/yaml' },
        body: readFileSync('examples/plans/minimal.yaml', 'utf8'),
      });
      await fetch(`${server.url}/api/v1/teams`, {
        method: 'POST',
        headers: json,
        body: '{"name":"bench-team"}',
      });
      await fetch(`${server.url}/api/v1/services`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ name: 'bench-service', team: 'bench-team' }),
      });
      const declared = await fetch(`${server.url}/api/v1/incidents`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({
          title: 'bench console',
          plan: 'minimal',
          severity: 'SEV2',
          service: 'bench-service',
        }),
      });
      const { incident } = (await declared.json()) as { incident: { id: string } };
      await seed(db, incident.id, INCIDENTS);
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
      console.log(
        `\nconsole, ${INCIDENTS.toLocaleString('en')} incidents: list API with wrk, next to /health (load average ${load})`,
      );
      const health = await wrkGet(`${server.url}/health`, server.token);
      console.log(row('/health (baseline)', health, health));
      const list = (query: string) => wrkGet(`${server.url}/api/v1/incidents?${query}`, server.token);
      console.log(row('  console list (state=open, limit=200)', await list('state=open&limit=200'), health));
      console.log(row('  all, first page (limit=50)', await list('limit=50'), health));
      console.log(row('  team filter', await list('state=all&team=bench-team&limit=50'), health));
      console.log(row('  mine', await list('state=all&mine=true&limit=50'), health));

      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
      try {
        const context = await browser.newContext({ baseURL: server.url });
        const page = await context.newPage();
        await signInWithToken(page, server.token);
        const times: number[] = [];
        for (let i = 0; i < PAGE_RUNS; i++) {
          await page.goto(`/incidents/${incident.id}`);
          await page.getByRole('heading', { level: 1, name: 'bench console' }).waitFor();
          // Milliseconds since this navigation started, when the title with its data is shown.
          times.push(await page.evaluate(() => performance.now()));
        }
        const healthMs = median(
          await Promise.all(
            Array.from({ length: PAGE_RUNS }, async () => {
              const t0 = performance.now();
              await (await fetch(`${server.url}/health`)).arrayBuffer();
              return performance.now() - t0;
            }),
          ),
        );
        console.log(
          `incident page in Chromium, navigation to data shown  median ${median(times).toFixed(0)} ms of ${PAGE_RUNS} (${times
            .map((t) => t.toFixed(0))
            .join(', ')} ms); /health answers in ${healthMs.toFixed(1)} ms`,
        );
      } finally {
        await browser.close();
      }
    } finally {
      await db.end();
      await server.stop();
    }
  } finally {
    await store.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchConsole();
