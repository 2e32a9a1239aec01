import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../scripts/lib/tocsin-process.ts';
import { benchIncidentWritePath } from './incidents.ts';
import { ensureWrk, runWrk } from './wrk.ts';

// Where Tocsin's CPU goes under one benchmark's load: `tocsin serve` runs with `node --cpu-prof`
// (loopback only), the load runs, the server stops cleanly (the profile is written on exit), and the
// self time is summed per function and per package/file. `npx tsx bench/profile.ts` (the
// peer benchmark's ingest: wrk, 32 connections, ~1 KB new alerts) or `... --writes` (declare +
// transition + note, 16 clients). The .cpuprofile stays in BENCH_PROFILE_DIR (default
// /tmp/tocsin-profile) for a closer look in Chrome's DevTools.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const DIR = process.env.BENCH_PROFILE_DIR ?? '/tmp/tocsin-profile';
const TOP = Number(process.env.BENCH_PROFILE_TOP ?? 30);

/** Self time per function and per file (a package collapses to its name), in ms. */
export function summarise(profile: CpuProfile): {
  byFunction: [string, number][];
  byFile: [string, number][];
  totalMs: number;
} {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of self) {
    const node = nodes.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = fileOf(url, functionName);
    if (file === '(idle)') continue;
    totalMs += ms;
    const fn = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { byFunction: sorted(byFunction), byFile: sorted(byFile), totalMs };
}

function fileOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  const local = /\/(dist|src)\/(.*)$/.exec(url);
  if (local) return `${local[1]}/${local[2]}`;
  return url.replace(/^file:\/\//, '');
}

async function profileUnder(what: 'ingest' | 'writes'): Promise<void> {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const server = await startServer({ NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${DIR}` });
  let requests = 0;
  try {
    if (what === 'ingest') {
      if (!ensureWrk()) throw new Error('wrk is not installed');
      const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
      const applied = await fetch(`${server.url}/api/v1/apply`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          documents: [
            {
              file: 'svc.yaml',
              content:
                'apiVersion: tocsin.dev/v1\nkind: Service\nmetadata: { name: profiled }\nspec:\n  integrations:\n    - { name: events, type: pagerduty }\n',
            },
          ],
        }),
      });
      if (!applied.ok) throw new Error(`apply → ${applied.status}`);
      const svc = (await (await fetch(`${server.url}/api/v1/services/profiled`, { headers })).json()) as {
        integrations: { key: string }[];
      };
      requests = Number(process.env.BENCH_PEER_REQUESTS ?? 10_000);
      const r = await runWrk({
        url: server.url,
        routingKey: svc.integrations[0]?.key as string,
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
  const { byFunction, byFile, totalMs } = summarise(JSON.parse(readFileSync(join(DIR, file), 'utf8')));
  console.log(
    `\nTocsin CPU profile under the ${what} load: ${totalMs.toFixed(0)} ms busy in JavaScript and native code (PostgreSQL apart), ${((totalMs * 1000) / requests).toFixed(0)} µs per request over ${requests} requests (start-up included); ${join(DIR, file)}`,
  );
  console.log('self time by package or file:');
  for (const [f, ms] of byFile.slice(0, TOP))
    console.log(`  ${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${f}`);
  console.log('self time by function:');
  for (const [f, ms] of byFunction.slice(0, TOP))
    console.log(`  ${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${f}`);
}

export async function benchProfile(what: 'ingest' | 'writes'): Promise<void> {
  await profileUnder(what);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchProfile(process.argv.includes('--writes') ? 'writes' : 'ingest');
}
