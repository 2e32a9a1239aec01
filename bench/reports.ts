import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startServer } from '../scripts/lib/tocsin-process.ts';
import { ensureDatabase, withDatabase } from '../src/db/connect.ts';
import { embeddedStore } from './stores.ts';

// Reports over many incidents (issue 15): the time to answer the metrics report (MTTD/MTTA/MTTR
// mean, median, p90 per severity, service and team) and the compliance report for one quarter,
// through HTTP, next to a bare `select count(*)` over the same rows on the same store. The first
// incident is declared through the API under the job-application plan; the rest are set-based copies
// of its row spread over the quarter with varied acknowledge and resolve times.

const TOTAL = Number(process.env.BENCH_REPORT_INCIDENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_REPORT_ROUNDS ?? 5);
const QUARTER_MS = 90 * 24 * 3_600_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function seed(db: pg.Client, id: string, total: number, from: Date): Promise<void> {
  const { rows: cols } = await db.query<{ column_name: string }>(
    `select column_name from information_schema.columns
      where table_name = 'incidents' and column_name <> 'id' order by ordinal_position`,
  );
  const step = Math.floor(QUARTER_MS / total);
  const at = `$3::timestamptz + (g * interval '${step} milliseconds')`;
  const expression: Record<string, string> = {
    title: `title || ' ' || g`,
    declared_at: at,
    state_entered_at: at,
    updated_at: at,
    detected_at: `${at} - ((g % 7) * interval '1 minute')`,
    severity: `(array['P0','P1','P2','P3'])[1 + g % 4]`,
    acknowledged_at: `case when g % 20 = 0 then null else ${at} + ((g % 31) * interval '1 minute') end`,
    first_update_at: `case when g % 9 = 0 then null else ${at} + ((g % 23) * interval '1 minute') end`,
    resolved_at: `case when g % 10 = 0 then null else ${at} + ((g % 240) * interval '1 minute') end`,
  };
  const names = cols.map((c) => c.column_name);
  await db.query(
    `insert into incidents (${names.join(', ')})
     select ${names.map((n) => expression[n] ?? n).join(', ')}
       from incidents, generate_series(1, $2::int) g where id = $1`,
    [id, total - 1, from.toISOString()],
  );
  await db.query('analyze incidents');
}

export async function benchReports(): Promise<void> {
  const store = await embeddedStore('tocsin-bench-reports-');
  try {
    await ensureDatabase(store.url, 'bench_reports');
    const url = withDatabase(store.url, 'bench_reports');
    const server = await startServer({ DATABASE_URL: url });
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const headers = { authorization: `Bearer ${server.token}` };
      await fetch(`${server.url}/api/v1/plans/job-application-platform`, {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/yaml' },
        body: readFileSync('examples/plans/job-application-platform.yaml', 'utf8'),
      });
      const declared = await fetch(`${server.url}/api/v1/incidents`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'bench report', plan: 'job-application-platform', severity: 'P1' }),
      });
      const { incident } = (await declared.json()) as { incident: { id: string } };
      const to = new Date();
      const from = new Date(to.getTime() - QUARTER_MS);
      await seed(db, incident.id, TOTAL, from);
      const period = `from=${encodeURIComponent(new Date(from.getTime() - 60_000).toISOString())}&to=${encodeURIComponent(new Date(to.getTime() + QUARTER_MS).toISOString())}&plan=job-application-platform`;
      const get = async (path: string) => {
        const res = await fetch(`${server.url}/api/v1/reports/${path}?${period}`, { headers });
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
        return res.json();
      };
      const count = () =>
        db.query(`select count(*) from incidents where declared_at >= $1 and declared_at < $2`, [
          new Date(from.getTime() - 60_000),
          new Date(to.getTime() + QUARTER_MS),
        ]);
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
      console.log(
        `\nreports over ${TOTAL.toLocaleString('en')} incidents in one quarter, median of ${ROUNDS} (load average ${load})`,
      );
      const times: Record<string, number[]> = { count: [], metrics: [], compliance: [], goals: [] };
      for (let i = 0; i < ROUNDS; i++) {
        times.count?.push(await timed(count));
        times.metrics?.push(await timed(() => get('metrics')));
        times.compliance?.push(await timed(() => get('compliance')));
        times.goals?.push(await timed(() => get('goals')));
      }
      const base = median(times.count ?? []);
      for (const [name, xs] of Object.entries(times)) {
        const m = median(xs);
        console.log(
          `${name === 'count' ? 'select count(*) (baseline)' : `GET /api/v1/reports/${name}`}`.padEnd(40),
          `${m.toFixed(1).padStart(8)} ms  ${(m / base).toFixed(1)}x`,
        );
      }
    } finally {
      await db.end();
      await server.stop();
    }
  } finally {
    await store.stop();
  }
}
