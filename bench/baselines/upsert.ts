import Fastify from 'fastify';
import pg from 'pg';

// Baseline 2 for bench/ingest.ts: one `INSERT … ON CONFLICT` per request through `pg`, its own
// transaction (autocommit) each, answered after it — the straightforward durable handler. Same pool
// size as Tocsin's default, so the comparison is about the write strategy only.
const port = Number(process.env.BENCH_PORT);
const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: 10 });
await pool.query(`create table if not exists bench_alerts (
  dedup_key text primary key,
  count integer not null default 1,
  body jsonb not null,
  updated_at timestamptz not null default now()
)`);

const upsert = `insert into bench_alerts (dedup_key, body) values ($1, $2)
  on conflict (dedup_key) do update set count = bench_alerts.count + 1, body = excluded.body, updated_at = now()`;

const app = Fastify({ logger: false });
app.get('/health', async () => ({ ok: true }));
app.post('/v2/enqueue', async (request, reply) => {
  const body = request.body as { dedup_key: string };
  await pool.query(upsert, [body.dedup_key, JSON.stringify(body)]);
  return reply.status(202).send({ status: 'success', message: 'Event processed', dedup_key: body.dedup_key });
});
await app.listen({ port, host: '127.0.0.1' });
