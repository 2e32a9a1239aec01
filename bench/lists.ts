import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startServer } from '../scripts/lib/tocsin-process.ts';
import { ensureDatabase, withDatabase } from '../src/db/connect.ts';
import { encodeCursor } from '../src/lib/cursor.ts';
import { clusterCpuMs, cpuMs, postmasterOf } from './proc.ts';
import { type CpuProfile, printSummary } from './profile.ts';
import { embeddedStore } from './stores.ts';
import { ensureWrk } from './wrk.ts';

// Reads that scale (issue 14): the incident list at 10,000 and 100,000 incidents, next to /health
// on the same server in the same minute, with wrk at 16 connections. The first incident is declared
// through the API; the rest are set-based copies of its row (declared 10 s apart, nine in ten
// resolved) — declaring 100,000 through HTTP would take longer than the measurement. At 100,000 the
// list is measured once more without the list indexes of migration 0360, as the store was before.
// The same pages are answered from the list's cache (nothing changes meanwhile); 1,000 cursor pages
// requested in turn are not, and show the cost of reading a page from PostgreSQL.

const CONNECTIONS = Number(process.env.BENCH_LIST_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_LIST_SECONDS ?? 5);
const SIZES = (process.env.BENCH_LIST_SIZES ?? '10000,100000').split(',').map(Number);
// With a directory, the server runs under `node --cpu-prof` and its profile is summed at the end.
const PROFILE_DIR = process.env.BENCH_LIST_PROFILE_DIR;
const INDEXES = [
  'incidents_open',
  'incidents_declared',
  'incidents_severity_declared',
  'incidents_plan_declared',
];

export interface Measured {
  rps: number;
  p50: number;
  p99: number;
  /** CPU per request in µs, of Tocsin's process and of the PostgreSQL cluster (NaN: not measured). */
  cpuUs?: { tocsin: number; pg: number };
}

/** wrk GET with an API token; latencies from wrk's --latency distribution. */
export async function wrkGet(url: string, token: string, script?: string): Promise<Measured> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      'wrk',
      [
        '-t1',
        `-c${CONNECTIONS}`,
        `-d${SECONDS}s`,
        '--latency',
        '-H',
        `Authorization: Bearer ${token}`,
        ...(script ? ['-s', script] : []),
        url,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
    });
    child.stderr.on('data', (d) => {
      text += d;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`)),
    );
  });
  const ms = (label: string) => {
    const m = out.match(new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s)`, 'm'));
    if (!m) return Number.NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const non2xx = out.match(/Non-2xx or 3xx responses: (\d+)/);
  if (non2xx) throw new Error(`${url}: ${non2xx[1]} answers were not 200`);
  return { rps: Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1]), p50: ms('50'), p99: ms('99') };
}

/**
 * Copies incident `id` until the store holds `total` incidents. The copies get no incident_timers
 * row: settled incidents, none of whose timers is due (the workflow-timers pass reads only those
 * that are, migration 0720), so the engine does not work through 10,000 open copies' targets and
 * cadence reminders during the measurement.
 */
export async function seed(db: pg.Client, id: string, total: number): Promise<void> {
  const { rows } = await db.query<{ n: string }>('select count(*) as n from incidents');
  const have = Number(rows[0]?.n ?? 0);
  const { rows: cols } = await db.query<{ column_name: string }>(
    `select column_name from information_schema.columns
      where table_name = 'incidents' and column_name <> 'id' order by ordinal_position`,
  );
  const at = `now() - (g * interval '10 seconds')`;
  const expression: Record<string, string> = {
    title: `title || ' ' || g`,
    declared_at: at,
    state_entered_at: at,
    updated_at: at,
    severity: `case when g % 3 = 0 then 'SEV1' else 'SEV2' end`,
    resolved_at: `case when g % 10 = 0 then null else ${at} + interval '1 hour' end`,
  };
  const names = cols.map((c) => c.column_name);
  await db.query(
    `insert into incidents (${names.join(', ')})
     select ${names.map((n) => expression[n] ?? n).join(', ')}
       from incidents, generate_series($2::int, $3::int) g where id = $1`,
    [id, have, total - 1],
  );
  await db.query('analyze incidents');
}

/**
 * A wrk script requesting 1,000 cursor pages (from random incidents) in turn: answers the list's
 * cache does not hold (it keeps 64), so each is read from PostgreSQL and written anew.
 */
async function cursorScript(db: pg.Client): Promise<string> {
  const { rows } = await db.query<{ at: string; id: string }>(
    'select declared_at::text as at, id::text as id from incidents order by random() limit 1000',
  );
  const paths = rows.map((r) => `/api/v1/incidents?limit=50&cursor=${encodeCursor({ at: r.at, id: r.id })}`);
  const file = join(mkdtempSync(join(tmpdir(), 'tocsin-bench-wrk-')), 'cursors.lua');
  writeFileSync(
    file,
    `local paths = {${paths.map((p) => `"${p}"`).join(',')}}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend\n`,
  );
  return file;
}

function row(name: string, m: Measured, health: Measured): string {
  const cpu = m.cpuUs
    ? `  CPU/request Tocsin ${m.cpuUs.tocsin.toFixed(0).padStart(4)} µs + PostgreSQL ${m.cpuUs.pg.toFixed(0).padStart(4)} µs`
    : '';
  return `${name.padEnd(44)} ${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50.toFixed(1).padStart(6)} ms  p99 ${m.p99
    .toFixed(1)
    .padStart(6)} ms  ${(m.rps / health.rps).toFixed(2)}x of /health${cpu}`;
}

/**
 * wrkGet with the CPU the server and the PostgreSQL cluster spent per request meanwhile: figures the
 * machine's load moves far less than latencies (4 engineers share 2 cores).
 */
async function measured(
  url: string,
  token: string,
  tocsinPid: number,
  postmaster: number,
  script?: string,
): Promise<Measured> {
  const before = { tocsin: cpuMs(tocsinPid), pg: clusterCpuMs(postmaster) };
  const m = await wrkGet(url, token, script);
  const requests = m.rps * SECONDS;
  const per = (after: number, was: number) => ((after - was) * 1000) / requests;
  return {
    ...m,
    cpuUs: { tocsin: per(cpuMs(tocsinPid), before.tocsin), pg: per(clusterCpuMs(postmaster), before.pg) },
  };
}

export async function benchLists(): Promise<void> {
  if (!ensureWrk()) {
    console.log('\nincident list: skipped (wrk is not installed: apt-get install wrk)');
    return;
  }
  const store = await embeddedStore('tocsin-bench-lists-');
  try {
    await ensureDatabase(store.url, 'bench_lists');
    const url = withDatabase(store.url, 'bench_lists');
    const server = await startServer({
      DATABASE_URL: url,
      ...(PROFILE_DIR ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${PROFILE_DIR}` } : {}),
    });
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const headers = { authorization: `Bearer ${server.token}` };
      await fetch(`${server.url}/api/v1/plans/minimal`, {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/yaml' },
        body: readFileSync('examples/plans/minimal.yaml', 'utf8'),
      });
      const declared = await fetch(`${server.url}/api/v1/incidents`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'bench list', plan: 'minimal', severity: 'SEV2' }),
      });
      const { incident } = (await declared.json()) as { incident: { id: string } };
      const postmaster = await postmasterOf(url);
      const get = (path: string) => measured(`${server.url}${path}`, server.token, server.pid, postmaster);
      // Pages the answer cache does not hold: 1,000 cursor pages requested in turn (it keeps 64).
      const uncached = async () =>
        measured(server.url, server.token, server.pid, postmaster, await cursorScript(db));
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
      console.log(
        `\nincident list (50 a page), wrk ${CONNECTIONS} connections, ${SECONDS} s each, next to /health (load average ${load})`,
      );
      for (const size of SIZES) {
        await seed(db, incident.id, size);
        const first = (await (
          await fetch(`${server.url}/api/v1/incidents?limit=50`, { headers })
        ).json()) as { next: string };
        const health = await get('/health');
        console.log(row(`/health (${size.toLocaleString('en')} incidents)`, health, health));
        console.log(row('  all, first page', await get(`/api/v1/incidents?limit=50`), health));
        console.log(
          row(
            '  all, next page (cursor)',
            await get(`/api/v1/incidents?limit=50&cursor=${first.next}`),
            health,
          ),
        );
        console.log(row('  open', await get(`/api/v1/incidents?state=open&limit=50`), health));
        console.log(row('  SEV1', await get(`/api/v1/incidents?severity=SEV1&limit=50`), health));
        console.log(row('  1,000 cursor pages in turn (not cached)', await uncached(), health));
        if (size === SIZES[SIZES.length - 1]) {
          // As before migration 0360: no index fits the list's order, every request sorts the table.
          const defs = await db.query<{ indexdef: string }>(
            'select indexdef from pg_indexes where indexname = any($1)',
            [INDEXES],
          );
          await db.query(`drop index ${INDEXES.join(', ')}`);
          try {
            console.log(row('  1,000 cursor pages, without 0360 indexes', await uncached(), health));
          } finally {
            for (const d of defs.rows) await db.query(d.indexdef);
          }
        }
      }
    } finally {
      await db.end();
      await server.stop('SIGINT');
      if (PROFILE_DIR) {
        const file = readdirSync(PROFILE_DIR).find((f) => f.endsWith('.cpuprofile'));
        if (file) {
          console.log(`\nTocsin CPU profile: ${join(PROFILE_DIR, file)}`);
          printSummary(JSON.parse(readFileSync(join(PROFILE_DIR, file), 'utf8')) as CpuProfile, 40);
        }
      }
    }
  } finally {
    await store.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchLists();
