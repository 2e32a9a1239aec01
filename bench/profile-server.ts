import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../scripts/lib/tocsin-process.ts';
import { benchIncidentWritePath } from './incidents.ts';
import { type CpuProfile, printSummary } from './profile.ts';
import { pagerDutyServiceKey } from './service.ts';
import { ensureWrk, runWrk } from './wrk.ts';

// Where Tocsin's CPU goes under one benchmark's load: `tocsin serve` runs with `node --cpu-prof`
// (loopback only), the load runs, the server stops cleanly (the profile is written on exit), and the
// self time is summed per function and per package/file. `npx tsx bench/profile-server.ts` (the
// peer benchmark's ingest: wrk, 32 connections, ~1 KB new alerts) or `... --writes` (declare +
// transition + note, 16 clients). The .cpuprofile stays in BENCH_PROFILE_DIR (default
// /tmp/tocsin-profile) for a closer look in Chrome's DevTools.
// BENCH_NODE_OPTIONS adds Node options to the server's (e.g. --import of a statement counter).

const DIR = process.env.BENCH_PROFILE_DIR ?? '/tmp/tocsin-profile';
const TOP = Number(process.env.BENCH_PROFILE_TOP ?? 30);

async function profileUnder(what: 'ingest' | 'writes'): Promise<void> {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const server = await startServer({
    NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${DIR} ${process.env.BENCH_NODE_OPTIONS ?? ''}`,
  });
  let requests = 0;
  try {
    if (what === 'ingest') {
      if (!ensureWrk()) throw new Error('wrk is not installed');
      const routingKey = await pagerDutyServiceKey(server, 'profiled');
      requests = Number(process.env.BENCH_PEER_REQUESTS ?? 10_000);
      const r = await runWrk({
        url: server.url,
        routingKey,
        mode: 'new',
        key: `p-${Date.now().toString(36)}`,
        requests,
        connections: 32,
      });
      console.log(`ingest: ${r.accepted} accepted, ${r.rps.toFixed(0)} new alerts/s`);
    } else {
      requests = 3 * 300;
      const r = await benchIncidentWritePath(server, 300, 16);
      console.log(`writes: ${r.rps.toFixed(0)} req/s`);
    }
  } finally {
    await server.stop('SIGINT');
  }
  const file = readdirSync(DIR).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile in ${DIR}`);
  const profile = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as CpuProfile;
  console.log(
    `\nTocsin CPU profile under the ${what} load over ${requests} requests (start-up included): ${join(DIR, file)}`,
  );
  printSummary(profile, TOP);
}

export async function benchProfile(what: 'ingest' | 'writes'): Promise<void> {
  await profileUnder(what);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchProfile(process.argv.includes('--writes') ? 'writes' : 'ingest');
}
