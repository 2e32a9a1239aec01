import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';

// The durable floor for the peer benchmark (bench/peer.ts): the least a server can do and still
// answer 202 only after the event is committed — node:http (no framework), JSON.parse, a check of
// the routing key and dedup key, and grouped commits of the raw body into one append-only table
// (a primary key, no other index, no dedup, no routing, no event log) on the same PostgreSQL as
// Tocsin, with its settings. Whatever an ingest that keeps every 202 durable costs on this machine
// beyond Alertmanager's in-memory answer, this process pays it too; what Tocsin costs above it is
// Tocsin's own work (deduplication, the alert and its event, routing). Not a product: no auth, no
// limits beyond the body size. BENCH_PORT, BENCH_DATABASE_URL; answers GET /health.

const port = Number(process.env.BENCH_PORT);
const routingKey = 'floor00000000000000000000000000000';
const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: 2 });
await pool.query(`create table if not exists floor_events (
  id bigint generated always as identity primary key,
  dedup_key text not null,
  body jsonb not null,
  received_at timestamptz not null default now()
)`);

const MAX_BODY = 512 * 1024;
const MAX_BATCH = 500;
const insert = `insert into floor_events (dedup_key, body) select * from unnest($1::text[], $2::jsonb[])`;

interface Waiting {
  key: string;
  body: string;
  res: ServerResponse;
}

// Group commit: a batch takes every event waiting (up to MAX_BATCH) whenever one of the two
// connections is free, so under load commits overlap and each carries what came in meanwhile.
let waiting: Waiting[] = [];
let inFlight = 0;

function flush(): void {
  while (inFlight < 2 && waiting.length > 0) {
    const batch = waiting.slice(0, MAX_BATCH);
    waiting = waiting.slice(batch.length);
    inFlight++;
    pool
      .query(insert, [batch.map((w) => w.key), batch.map((w) => w.body)])
      .then(
        () => {
          for (const w of batch) {
            reply(
              w.res,
              202,
              `{"status":"success","message":"Event processed","dedup_key":${JSON.stringify(w.key)}}`,
            );
          }
        },
        (error: Error) => {
          for (const w of batch) reply(w.res, 500, JSON.stringify({ error: error.message }));
        },
      )
      .finally(() => {
        inFlight--;
        flush();
      });
  }
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size <= MAX_BODY ? Buffer.concat(chunks).toString('utf8') : undefined));
  });
}

const server = createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/health') return reply(res, 200, '{"ok":true}');
  if (req.method !== 'POST' || req.url !== '/v2/enqueue') return reply(res, 404, '{"error":"not found"}');
  const text = await readBody(req);
  if (text === undefined) return reply(res, 413, '{"error":"too large"}');
  let event: { routing_key?: unknown; dedup_key?: unknown };
  try {
    event = JSON.parse(text);
  } catch {
    return reply(res, 400, '{"error":"invalid JSON"}');
  }
  if (event.routing_key !== routingKey || typeof event.dedup_key !== 'string') {
    return reply(res, 400, '{"error":"routing_key or dedup_key"}');
  }
  waiting.push({ key: event.dedup_key, body: text, res });
  flush();
});
server.listen(port, '127.0.0.1');

process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
