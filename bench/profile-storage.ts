import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startPostgres15 } from '../scripts/lib/pg15.ts';
import { connect, ensureDatabase, withDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import * as rules from '../src/domain/alert-rules/queries.ts';
import * as q from '../src/domain/alerts/queries.ts';

// Profile of the new-alert write, without HTTP (what bench/ingest.ts cannot separate): CPU of the
// PostgreSQL backend (from /proc) and WAL bytes per alert, for BATCHES batches of BATCH new alerts
// (~1 KB PagerDuty payloads), one multi-row upsert each — the group commit's flood path.
//   npx tsx bench/profile-storage.ts
//   OLD_QUERIES=/path/to/an/older/src/domain/alerts/queries.ts   also measures an older statement
//   EXTRA="drop index alerts_unrouted;alter table …"                applied in turn, measured after each
//   EXPLAIN=1                                                       logs plans (auto_explain) to the server log
//   PG_URL=postgres://…                                             an existing server (else a throwaway PG 15)
//   DETAILS_TWICE=1                                                 sends details beside raw, as before migration 0710
//   ROUTE_BATCH=n                                                   alerts a routing claim takes (500)
//   REPEAT=n                                                        measures current (and routing) n times
//   ROUTE=1                                                         also measures the alert-rules module's SQL for
//                                                                   alerts that declare nothing (claim + markRouted)
// CPU rather than time: a shared 2-core machine moves wall-clock figures far more than CPU per row.
const OLD = process.env.OLD_QUERIES;
const old = OLD ? ((await import(OLD)) as typeof q) : undefined;
const server = process.env.PG_URL ? undefined : await startPostgres15();
const admin = process.env.PG_URL ?? (server as { url: string }).url;
const url = withDatabase(admin, 'prof');
if (process.env.PG_URL) {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query('drop database if exists prof');
  await c.end();
}
await ensureDatabase(admin, 'prof');
const { db, pool } = connect(url, 1);
await migrate(db);
const client = new pg.Client({ connectionString: url });
await client.connect();
const one = async (text: string, values: unknown[] = []) => (await client.query(text, values)).rows[0];
const svc = await one(
  `insert into services (name, created_at, updated_at) values ('s'||random(), now(), now()) returning id`,
);
const integ = await one(
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
    // As the ingest path sends a PagerDuty event: its details read from raw (DETAILS_TWICE=1: a copy).
    details: process.env.DETAILS_TWICE ? details : undefined,
    details_at: process.env.DETAILS_TWICE ? null : ['payload', 'custom_details'],
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
const BATCHES = Number(process.env.BATCHES ?? 300);
// The alert-rules tick's claim: 500 (ROUTE_BATCH in route-alerts.ts) when a backlog waits, fewer in a steady flow.
const ROUTE_BATCH = Number(process.env.ROUTE_BATCH ?? 500);
let seq = 0;
const backend = Number(
  (await db.selectNoFrom((eb) => eb.fn<number>('pg_backend_pid', []).as('p')).executeTakeFirstOrThrow()).p,
);
const cpu = () => {
  const f = readFileSync(`/proc/${backend}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[11]) + Number(f[12])) * 10;
};
async function measure(label: string, upsert: typeof q.upsertTriggerRuns) {
  const batch = () => Array.from({ length: BATCH }, () => run(`k-${seq++}`));
  for (let i = 0; i < 50; i++) await upsert(db, batch(), new Date(Date.now() + seq), true);
  const a = (await one('select pg_current_wal_insert_lsn() l')).l;
  const c0 = cpu();
  const t0 = performance.now();
  for (let i = 0; i < BATCHES; i++) await upsert(db, batch(), new Date(Date.now() + seq), true);
  const wall = performance.now() - t0;
  const c1 = cpu();
  const b = (await one('select pg_current_wal_insert_lsn() l')).l;
  const wal = Number((await one('select pg_wal_lsn_diff($2,$1) d', [a, b])).d);
  const n = BATCH * BATCHES;
  console.log(
    `${label.slice(0, 56).padEnd(56)} backend CPU ${(((c1 - c0) / n) * 1000).toFixed(0).padStart(4)} µs/alert  wall ${((wall / n) * 1000).toFixed(0).padStart(4)} µs/alert  WAL ${(wal / n).toFixed(0)} B/alert`,
  );
}
if (process.env.EXPLAIN) {
  const { sql } = await import('kysely');
  await sql`load 'auto_explain'`.execute(db);
  await sql`set auto_explain.log_min_duration = 0`.execute(db);
  await sql`set auto_explain.log_analyze = on`.execute(db);
  await sql`set auto_explain.log_buffers = on`.execute(db);
  await sql`set auto_explain.log_wal = on`.execute(db);
  await sql`set auto_explain.log_verbose = off`.execute(db);
  for (let i = 0; i < 3; i++)
    await q.upsertTriggerRuns(
      db,
      Array.from({ length: BATCH }, () => run(`x-${seq++}`)),
      new Date(),
      true,
    );
  await sql`set auto_explain.log_min_duration = -1`.execute(db);
}
/** The alert-rules tick's statements for alerts that declare nothing: claim a batch, record 'no-plan'. */
async function measureRouting() {
  const { sql } = await import('kysely');
  const { inTx } = await import('../src/db/tx.ts');
  await sql`update alerts set routed_at = now(), routing = 'warm-up' where routed_at is null`.execute(db);
  // As markRouted does, the queue of undecided alerts (migration 0740) loses what was decided.
  await sql`delete from alerts_undecided`.execute(db);
  for (let i = 0; i < BATCHES; i++)
    await q.upsertTriggerRuns(
      db,
      Array.from({ length: BATCH }, () => run(`r-${seq++}`)),
      new Date(),
      true,
    );
  const updates = async () => {
    // The routing backend's counters reach pg_stat_user_tables when it flushes them.
    await sql`select pg_stat_force_next_flush()`.execute(db);
    await sql`select 1`.execute(db);
    return one(`select n_tup_upd u, n_tup_hot_upd h from pg_stat_user_tables where relname = 'alerts'`);
  };
  const u0 = await updates();
  const a = (await one('select pg_current_wal_insert_lsn() l')).l;
  const c0 = cpu();
  let n = 0;
  for (;;) {
    const routed = await inTx(db, async (tx) => {
      const batch = await rules.claimUndecided(tx, new Date(), ROUTE_BATCH);
      const decided = batch.map((alert) => ({
        id: alert.id,
        routing: 'no-plan',
        data: { routing: 'no-plan', reason: `service ${alert.service} has no plan: recorded only` },
      }));
      return await rules.markRouted(tx, decided, new Date(), 'alert-rules');
    });
    if (routed === 0) break;
    n += routed;
  }
  const c1 = cpu();
  const b = (await one('select pg_current_wal_insert_lsn() l')).l;
  const wal = Number((await one('select pg_wal_lsn_diff($2,$1) d', [a, b])).d);
  const u1 = await updates();
  const hot = (Number(u1.h) - Number(u0.h)) / (Number(u1.u) - Number(u0.u));
  console.log(
    `${`routing ${n} alerts (claim + markRouted, no plan)`.padEnd(56)} backend CPU ${(((c1 - c0) / n) * 1000).toFixed(0).padStart(4)} µs/alert  WAL ${(wal / n).toFixed(0)} B/alert  HOT ${(hot * 100).toFixed(0)}%`,
  );
}
try {
  if (old) await measure(`older (${OLD})`, old.upsertTriggerRuns);
  for (let i = 0; i < Number(process.env.REPEAT ?? 1); i++) await measure('current', q.upsertTriggerRuns);
  for (const stmt of (process.env.EXTRA ?? '').split(';').filter(Boolean)) {
    await client.query(stmt);
    await measure(stmt, q.upsertTriggerRuns);
  }
  if (process.env.ROUTE) {
    // REPEAT=n: n runs of each, as a loaded machine moves single figures by ±30% (take the least).
    for (let i = 0; i < Number(process.env.REPEAT ?? 1); i++) await measureRouting();
    for (const stmt of (process.env.ROUTE_EXTRA ?? '').split(';').filter(Boolean)) {
      await client.query(stmt);
      console.log(stmt);
      await measureRouting();
    }
  }
} finally {
  await client.end();
  await pool.end();
  server?.stop();
}
