import pg from 'pg';
import { startPostgres15 } from '../scripts/lib/pg15.ts';
import { connect, ensureDatabase, withDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import * as q from '../src/domain/alerts/queries.ts';

// Scratch profile: server-side execution time (EXPLAIN ANALYZE, inside a rolled-back transaction, so
// no fsync noise) and WAL bytes of one multi-row upsert of BATCH new alerts, per schema variant.
const server = process.env.PG_URL ? undefined : await startPostgres15();
const admin = process.env.PG_URL ?? (server as { url: string }).url;
const url = withDatabase(admin, 'prof');
await ensureDatabase(admin, 'prof');
const { db, pool } = connect(url, 2);
await migrate(db);
const client = new pg.Client({ connectionString: url });
await client.connect();
const {
  rows: [svc],
} = await client.query(
  `insert into services (name, created_at, updated_at) values ('s'||random(), now(), now()) returning id`,
);
const {
  rows: [integ],
} = await client.query(
  `insert into integrations (service_id, name, type, key, created_at) values ($1, 'pd', 'pagerduty', md5(random()::text), now()) returning id, key`,
  [svc.id],
);
const details = { host: 'db-17.example.com', metric: 'disk_used_percent', value: 97.5, pad: 'x'.repeat(700) };
function run(key: string): q.TriggerRun {
  const raw = {
    event_action: 'trigger',
    dedup_key: key,
    payload: {
      summary: 'Disk 97% on db-17',
      source: 'db-17.example.com',
      severity: 'critical',
      component: 'postgres',
      custom_details: details,
    },
  };
  return {
    key: integ.key,
    integration_id: integ.id,
    service_id: svc.id,
    dedup_key: key,
    summary: 'Disk 97% on db-17',
    source: 'db-17.example.com',
    severity: 'critical',
    component: 'postgres',
    alert_group: null,
    alert_class: null,
    labels: {},
    details,
    links: [],
    images: [],
    started_at: null,
    raw,
    n: 1,
    first_raw: null,
    repeats_if_created: 0,
    repeats_if_open: 1,
    actor: 'integration:pd',
  };
}
const BATCH = Number(process.env.BATCH ?? 25);
let seq = 0;
// Fill the table first so index descents are realistic.
for (let i = 0; i < 200; i++)
  await q.upsertTriggerRuns(
    db,
    Array.from({ length: BATCH }, () => run(`fill-${seq++}`)),
    new Date(Date.now() + i),
    true,
  );

async function once(): Promise<{ ms: number; wal: number }> {
  const runs = Array.from({ length: BATCH }, () => run(`m-${seq++}`));
  // The statement text as the app sends it, captured by a fake executor.
  const c = await pool.connect();
  try {
    await c.query('begin');
    const a = (await c.query('select pg_current_wal_insert_lsn() l')).rows[0].l;
    const t0 = performance.now();
    await q.upsertTriggerRuns(db, runs, new Date(Date.now() + seq), true);
    const ms = performance.now() - t0;
    const b = (await c.query('select pg_current_wal_insert_lsn() l')).rows[0].l;
    const wal = Number((await c.query('select pg_wal_lsn_diff($2,$1) d', [a, b])).rows[0].d);
    await c.query('commit');
    return { ms, wal };
  } finally {
    c.release();
  }
}
async function measure(label: string) {
  const ms: number[] = [];
  let wal = 0;
  for (let i = 0; i < 300; i++) {
    const r = await once();
    ms.push(r.ms);
    wal += r.wal;
  }
  ms.sort((x, y) => x - y);
  console.log(
    `${label.padEnd(50)} median ${ms[150]?.toFixed(2)} ms/batch of ${BATCH}  p10 ${ms[30]?.toFixed(2)}  WAL ${(wal / 300 / BATCH).toFixed(0)} B/alert`,
  );
}
await measure('current');
for (const stmt of (process.env.EXTRA ?? '').split(';').filter(Boolean)) {
  await client.query(stmt);
  await measure(stmt.slice(0, 50));
}
console.log(
  (
    await client.query(
      `select relname, pg_total_relation_size(oid) s from pg_class where relname like 'alert%' and relkind in ('r','i') order by 1`,
    )
  ).rows
    .map((r) => `${r.relname}=${Math.round(r.s / 1024)}k`)
    .join(' '),
);
await client.end();
await pool.end();
server?.stop();
