import { readFileSync } from 'node:fs';
import { SERVE_NODE_FLAGS, type ServerHandle, startServer } from '../scripts/lib/tocsin-process.ts';
import { rssMb } from './proc.ts';
import { pagerDutyServiceKey } from './service.ts';
import { ensureWrk, runWrk } from './wrk.ts';

// What Tocsin's resident memory is made of after ingest load (issue 14, the RSS budget in the README):
// `tocsin serve` as `npm start` runs it, BENCH_MEMORY_ROUNDS rounds of BENCH_PEER_REQUESTS new ~1 KB
// alerts (wrk, 32 connections: the peer benchmark's ingest), then RSS next to V8's heap by space (from
// the server's own /metrics: prom-client's default metrics) — the young generation ("new"), the old
// one, external memory — and what is outside the heap (code, the Node binary, native buffers). The
// same rounds run once more without the V8 flags `npm start` gives (SERVE_NODE_FLAGS), for comparison.
// `npm run bench -- --memory`.

const ROUNDS = Number(process.env.BENCH_MEMORY_ROUNDS ?? 3);
const REQUESTS = Number(process.env.BENCH_PEER_REQUESTS ?? 10_000);

interface Memory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  newSpace: number;
  oldSpace: number;
  external: number;
}

async function memoryOf(server: ServerHandle): Promise<Memory> {
  const text = await (
    await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.token}` } })
  ).text();
  const mb = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`tocsin_process_${name} `));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) / 1e6 : Number.NaN;
  };
  return {
    rss: rssMb(server.pid),
    heapTotal: mb('nodejs_heap_size_total_bytes'),
    heapUsed: mb('nodejs_heap_size_used_bytes'),
    newSpace: mb('nodejs_heap_space_size_total_bytes{space="new"}'),
    oldSpace: mb('nodejs_heap_space_size_total_bytes{space="old"}'),
    external: mb('nodejs_external_memory_bytes'),
  };
}

function line(label: string, m: Memory): string {
  const f = (n: number) => n.toFixed(0).padStart(4);
  return `  ${label.padEnd(34)} RSS ${f(m.rss)} MB  heap ${f(m.heapTotal)} MB (used ${f(m.heapUsed)}; new space ${f(m.newSpace)}, old space ${f(m.oldSpace)})  external ${f(m.external)} MB  outside the heap ${f(m.rss - m.heapTotal)} MB`;
}

async function rounds(nodeFlags: string[], label: string): Promise<void> {
  const server = await startServer({}, [], nodeFlags);
  try {
    const routingKey = await pagerDutyServiceKey(server, 'memory');
    console.log(label);
    console.log(line('at start', await memoryOf(server)));
    for (let round = 0; round < ROUNDS; round++) {
      const r = await runWrk({
        url: server.url,
        routingKey,
        mode: 'new',
        key: `m${round}-${Date.now().toString(36)}`,
        requests: REQUESTS,
        connections: 32,
      });
      if (r.accepted !== REQUESTS)
        throw new Error(`round ${round + 1}: ${r.accepted} of ${REQUESTS} accepted`);
      console.log(line(`after round ${round + 1} (${r.rps.toFixed(0)} alerts/s)`, await memoryOf(server)));
    }
  } finally {
    await server.stop();
  }
}

export async function benchMemory(): Promise<void> {
  if (!ensureWrk()) {
    console.log('\nmemory: skipped (wrk is not installed)');
    return;
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    `\nTocsin's memory after ingest rounds of ${REQUESTS} new alerts (wrk, 32 connections), budget 300 MB RSS (load average ${load})`,
  );
  await rounds(SERVE_NODE_FLAGS, `as npm start runs it (${SERVE_NODE_FLAGS.join(' ')})`);
  await rounds([], "without those flags (V8's own young generation size)");
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMemory();
