import Fastify from 'fastify';

// Baseline 1 for bench/ingest.ts: the same route answering 202 without storing anything — the
// ceiling of Fastify and the load generator on this machine. Its own process, on a loopback port.
const port = Number(process.env.BENCH_PORT);
const app = Fastify({ logger: false });
app.get('/health', async () => ({ ok: true }));
app.post('/v2/enqueue', async (request, reply) => {
  const body = request.body as { dedup_key?: string };
  return reply.status(202).send({ status: 'success', message: 'Event processed', dedup_key: body.dedup_key });
});
await app.listen({ port, host: '127.0.0.1' });
