import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer } from '../scripts/lib/tocsin-process.ts';
import { ensureWrk } from './wrk.ts';

// The status page under load (issue 13): summary.json and the HTML page of a page with 50
// components and 200 past incidents, next to a static file served by the same server
// (/status/favicon.svg, read from disk per request). Target: each at ≥ 50 % of the static file's
// requests/s. wrk (one thread, its own process) drives each for BENCH_STATUS_SECONDS on loopback.

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_STATUS_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_STATUS_CONNECTIONS ?? 32);
const COMPONENTS = 50;
const INCIDENTS = 200;

const PLAN = `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: bench-status }
languages: [en, am]
severities: [{ id: SEV1, title: Critical }, { id: SEV2, title: Major }, { id: SEV3, title: Minor }]
lifecycle:
  states: [{ id: investigating }, { id: identified }, { id: monitoring }, { id: resolved }]
`;

interface Figures {
  rps: number;
  p99: number;
  bytes: number;
}

async function api(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  type = 'application/json',
) {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, Record<string, string>>>;
}

async function seed(url: string, token: string): Promise<void> {
  await api(url, token, 'PUT', '/api/v1/plans/bench-status', PLAN, 'application/yaml');
  for (let g = 0; g < 5; g++) {
    await api(url, token, 'PUT', `/api/v1/status-page/components/Group ${g}`, {
      group_component: true,
      position: g,
    });
  }
  for (let c = 0; c < COMPONENTS; c++) {
    await api(url, token, 'PUT', `/api/v1/status-page/components/Component ${c}`, {
      group: `Group ${c % 5}`,
      description: `Component number ${c}`,
      position: c,
    });
  }
  const queue = Array.from({ length: INCIDENTS }, (_, i) => i);
  const worker = async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      const { incident } = await api(url, token, 'POST', '/api/v1/incidents', {
        title: `Past incident ${i}: uploads slow`,
        severity: ['SEV1', 'SEV2', 'SEV3'][i % 3],
      });
      const id = incident?.id as string;
      for (const text of ['We are investigating slow uploads.', 'Fixed; uploads are back to normal.']) {
        await api(url, token, 'POST', `/api/v1/incidents/${id}/updates`, {
          audience: 'external',
          bodies: { en: text, am: `${text} (am)` },
        });
      }
      await api(url, token, 'POST', `/api/v1/incidents/${id}/resolve`, {});
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** wrk's requests/s and p99 (ms) for one URL. */
async function load(target: string): Promise<Figures> {
  // As browsers and CDNs ask: gzip accepted (the static file is sent as it is).
  const args = [
    '-t1',
    `-c${CONNECTIONS}`,
    `-d${SECONDS}s`,
    '--latency',
    '-H',
    'Accept-Encoding: gzip',
    target,
  ];
  const { stdout } = await run('wrk', args, {
    maxBuffer: 1 << 20,
  });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
  const m = /\s99%\s+([\d.]+)(us|ms|s)/.exec(stdout);
  const unit = m?.[2] === 'us' ? 0.001 : m?.[2] === 's' ? 1000 : 1;
  const head = await fetch(target, { headers: { 'accept-encoding': 'gzip' } });
  await head.arrayBuffer();
  // Bytes on the wire: the compressed size when the server compressed it.
  const bytes = Number(head.headers.get('content-length') ?? 0);
  return { rps, p99: Number(m?.[1] ?? 0) * unit, bytes };
}

/** Prints the figures; false when a page falls below half the static file's rate. */
export async function benchStatusPage(): Promise<boolean> {
  if (!ensureWrk()) {
    console.log('status page: skipped (wrk is not installed; apt-get install wrk)');
    return true;
  }
  const server = await startServer({});
  try {
    const started = Date.now();
    await seed(server.url, server.token);
    console.log(
      `\nstatus page: ${COMPONENTS} components in 5 groups, ${INCIDENTS} past incidents (seeded in ${((Date.now() - started) / 1000).toFixed(0)} s); wrk -t1 -c${CONNECTIONS} -d${SECONDS}s`,
    );
    const base = await load(`${server.url}/status/favicon.svg`);
    const rows: [string, Figures][] = [['static file /status/favicon.svg', base]];
    for (const path of ['/status/api/v2/summary.json', '/status'])
      rows.push([path, await load(server.url + path)]);
    let ok = true;
    for (const [name, f] of rows) {
      const ratio = f.rps / base.rps;
      if (ratio < 0.5) ok = false;
      console.log(
        `${name.padEnd(34)} ${f.rps.toFixed(0).padStart(7)} req/s  p99 ${f.p99.toFixed(1).padStart(6)} ms  ${String(f.bytes).padStart(7)} B  ${ratio.toFixed(2)}x static${ratio < 0.5 ? '  BELOW TARGET (0.50x)' : ''}`,
      );
    }
    return ok;
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!(await benchStatusPage())) process.exitCode = 1;
}
