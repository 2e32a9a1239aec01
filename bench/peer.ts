import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { type Daemon, startAlertmanager } from '../scripts/lib/prometheus.ts';
import { type ServerHandle, startServer } from '../scripts/lib/tocsin-process.ts';
import { ensureDatabase } from '../src/db/connect.ts';
import { startBaseline, storedAlerts } from './ingest.ts';
import { type NtfyReceiver, startNtfyReceiver, tagged } from './ntfy-receiver.ts';
import { clusterCpuMs, cpuMs, rssMb } from './proc.ts';
import { ensureWrk, runWrk } from './wrk.ts';

// Tocsin next to its peer, Prometheus Alertmanager (Debian's prometheus-alertmanager), on loopback
// in one run, interleaved rounds, the same load generator and the same ~1 KB alerts (issue 14):
//  - ingest: new alerts/s with wrk, 32 connections (Alertmanager's POST /api/v2/alerts, Tocsin's
//    /v2/enqueue), and the CPU each alert cost (the whole process tree: Tocsin with its PostgreSQL);
//  - alert → first notification: an open-loop sender at 20 alerts/s, timed from each alert's
//    scheduled send to its first notification at a loopback receiver (Alertmanager: group_wait 0s to
//    a webhook; Tocsin: its plan pages one person by push, to a loopback ntfy server).
// Durability differs and the output says so: Alertmanager keeps alerts in memory (a snapshot to disk
// every 15 min), Tocsin answers only after its PostgreSQL commit. So the ingest rounds also run the
// durable floor (bench/baselines/durable-floor.ts): a bare server that answers 202 after grouped
// commits of the raw event to the same PostgreSQL, and nothing else — what keeping every 202 durable
// costs on this machine, whoever does it. Tocsin's CPU per alert is counted until the engine has
// routed every alert of the round (its queue of undecided alerts is empty), not only until the
// last 202.

const ROUNDS = Number(process.env.BENCH_PEER_ROUNDS ?? 3);
const REQUESTS = Number(process.env.BENCH_PEER_REQUESTS ?? 10_000);
const CONNECTIONS = 32;
/**
 * The open loop's rates (alerts a second), each timed in every round: BENCH_PEER_RATES (default
 * "20,100", the issue's two latency targets), or the one BENCH_PEER_RATE.
 */
const RATES = (process.env.BENCH_PEER_RATE ?? process.env.BENCH_PEER_RATES ?? '20,100')
  .split(',')
  .map(Number)
  .filter((r) => r > 0);
const SECONDS = Number(process.env.BENCH_PEER_SECONDS ?? 10);

const SETUP = `
apiVersion: tocsin.dev/v1
kind: User
metadata: { name: peer-pager }
spec:
  name: Peer Pager
  email: peer-pager@example.com
  role: responder
  contacts:
    - { kind: push, address: peer-pager, label: phone-app, verified: true }
  notificationRules:
    - { contact: phone-app, after: 0m }
---
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: peer-paging }
severities:
  - { id: P1, title: Outage, page: { to: pagers, channels: [push] } }
groups:
  - { id: pagers, title: Pagers, users: [peer-pager] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
---
apiVersion: tocsin.dev/v1
kind: Service
metadata: { name: peer }
spec:
  plan: peer-paging
  rules:
    severity: { critical: P1 }
  integrations:
    - { name: events, type: pagerduty }
---
apiVersion: tocsin.dev/v1
kind: Service
metadata: { name: peer-ingest }
spec:
  integrations:
    - { name: events, type: pagerduty }
`;

const AM_CONFIG = (sink: string) => `
route:
  receiver: sink
  routes:
    # The ingest rounds' alerts (label bench="ingest") are stored and notify nobody, as on Tocsin.
    - { matchers: ['bench="ingest"'], receiver: blackhole }
  group_by: [key]
  group_wait: 0s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: blackhole
  - name: sink
    webhook_configs:
      - url: ${sink}/hook
        send_resolved: false
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

/** Alertmanager's webhook receiver: first arrival per alert (its `key` label). */
async function startSink(): Promise<{
  url: string;
  first: Map<string, number>;
  count: Map<string, number>;
  close(): Promise<void>;
}> {
  const first = new Map<string, number>();
  const count = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const at = performance.now();
    let body = '';
    request.on('data', (d) => {
      body += d;
    });
    request.on('end', () => {
      try {
        for (const a of (JSON.parse(body) as { alerts: { labels: { key?: string } }[] }).alerts) {
          const key = a.labels.key;
          if (!key) continue;
          if (!first.has(key)) first.set(key, at);
          count.set(key, (count.get(key) ?? 0) + 1);
        }
      } catch {}
      response.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    first,
    count,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Sends `rate` alerts a second for `SECONDS`, each at its scheduled time; returns the schedule. */
async function openLoop(
  rate: number,
  send: (i: number) => Promise<boolean>,
): Promise<{ scheduled: number[]; ok: boolean[] }> {
  const total = rate * SECONDS;
  const start = performance.now() + 20;
  const scheduled: number[] = [];
  const ok: boolean[] = [];
  const inFlight: Promise<void>[] = [];
  let next = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      while (next < total && start + (next * 1000) / rate <= performance.now()) {
        const i = next++;
        scheduled[i] = start + (i * 1000) / rate;
        inFlight.push(
          send(i).then(
            (r) => {
              ok[i] = r;
            },
            () => {
              ok[i] = false;
            },
          ),
        );
      }
      if (next >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await Promise.all(inFlight);
  return { scheduled, ok };
}

interface Latency {
  p50: number;
  p99: number;
  missing: number;
  perAlert: number;
}

async function waitFor(first: Map<string, number>, keys: string[]): Promise<void> {
  const until = performance.now() + 30_000;
  while (performance.now() < until && keys.some((k) => !first.has(k)))
    await new Promise((r) => setTimeout(r, 50));
}

function latencyOf(
  keys: string[],
  sent: { scheduled: number[]; ok: boolean[] },
  first: Map<string, number>,
  count: Map<string, number>,
): Latency {
  const ms: number[] = [];
  let missing = 0;
  let notes = 0;
  keys.forEach((k, i) => {
    if (!sent.ok[i]) return;
    const at = first.get(k);
    notes += count.get(k) ?? 0;
    if (at === undefined) missing++;
    else ms.push(at - (sent.scheduled[i] ?? at));
  });
  return {
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    missing,
    perAlert: notes / Math.max(1, sent.ok.filter(Boolean).length),
  };
}

async function alertmanagerLatency(
  am: Daemon,
  sink: Awaited<ReturnType<typeof startSink>>,
  run: string,
  rate: number,
): Promise<Latency> {
  const keys = Array.from({ length: rate * SECONDS }, (_, i) => `${run}-${i}`);
  const sent = await openLoop(rate, async (i) => {
    const res = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname: 'DiskFull', severity: 'critical', key: keys[i] },
          annotations: { summary: 'Disk 97%' },
        },
      ]),
    });
    await res.arrayBuffer();
    return res.status === 200;
  });
  await waitFor(
    sink.first,
    keys.filter((_, i) => sent.ok[i]),
  );
  return latencyOf(keys, sent, sink.first, sink.count);
}

async function tocsinLatency(
  t: ServerHandle,
  routingKey: string,
  receiver: NtfyReceiver,
  run: string,
  rate: number,
): Promise<Latency> {
  const keys = Array.from({ length: rate * SECONDS }, (_, i) => `${run}-${i}`);
  const sent = await openLoop(rate, async (i) => {
    const res = await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: routingKey,
        event_action: 'trigger',
        dedup_key: keys[i],
        payload: { summary: `Disk 97% ${tagged(keys[i] as string)}`, source: 'db-17', severity: 'critical' },
      }),
    });
    await res.arrayBuffer();
    return res.status === 202;
  });
  await waitFor(
    receiver.firstPage,
    keys.filter((_, i) => sent.ok[i]),
  );
  return latencyOf(keys, sent, receiver.firstPage, receiver.pages);
}

interface Ingest {
  rps: number;
  /** CPU µs per alert until the last answer, and until `settled` (the engine has routed them). */
  cpuUs: number;
  settledCpuUs: number;
  /** ms from the last answer until `settled` (the engine's backlog). */
  settledMs: number;
  /** Alerts a second from the first request until every alert is routed (wrk's run plus settledMs). */
  sustained: number;
  accepted: number;
}

async function ingest(
  url: string,
  format: 'pagerduty' | 'alertmanager',
  routingKey: string,
  cpu: () => number,
  key: string,
  settled: () => Promise<unknown> = async () => {},
): Promise<Ingest> {
  const before = cpu();
  const r = await runWrk({
    url,
    routingKey,
    mode: 'new',
    key,
    requests: REQUESTS,
    connections: CONNECTIONS,
    format,
  });
  const answered = cpu();
  const at = Date.now();
  await settled();
  const settledMs = Date.now() - at;
  const per = (after: number) => ((after - before) / REQUESTS) * 1000;
  return {
    rps: r.rps,
    cpuUs: per(answered),
    settledCpuUs: per(cpu()),
    settledMs,
    sustained: r.accepted / (r.accepted / r.rps + settledMs / 1000),
    accepted: r.accepted,
  };
}

/** A database of the embedded cluster under a Tocsin data dir, over its Unix socket. */
function embeddedUrl(dataDir: string, database: string): string {
  const { password } = JSON.parse(readFileSync(`${dataDir}/credentials.json`, 'utf8')) as {
    password: string;
  };
  const port = readFileSync(`${dataDir}/pg/postmaster.pid`, 'utf8').split('\n')[3];
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}?host=${encodeURIComponent(`${dataDir}/pg`)}`;
}

/** Until Tocsin's engine has decided every alert it was sent (60 s at most); how long it took, in ms. */
async function untilRouted(tocsinDb: string): Promise<number> {
  const client = new pg.Client({ connectionString: tocsinDb });
  await client.connect();
  const started = Date.now();
  try {
    while (Date.now() < started + 60_000) {
      const { rows } = await client.query<{ n: string }>('select count(*) as n from alerts_undecided');
      if (Number(rows[0]?.n) === 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    return Date.now() - started;
  } finally {
    await client.end();
  }
}

export async function benchPeer(): Promise<boolean> {
  if (!ensureWrk()) {
    console.log('\npeer (Alertmanager): skipped (wrk is not installed)');
    return true;
  }
  let am: Daemon;
  const sink = await startSink();
  try {
    am = await startAlertmanager(AM_CONFIG(sink.url));
  } catch (error) {
    await sink.close();
    console.log(
      `\npeer (Alertmanager): skipped (${(error as Error).message.split('\n')[0]}); run scripts/system-deps.sh`,
    );
    return true;
  }
  const receiver = await startNtfyReceiver();
  const tocsin = await startServer({ TOCSIN_NTFY_URL: receiver.url });
  let floor: Awaited<ReturnType<typeof startBaseline>> | undefined;
  let ok = true;
  try {
    const floorDb = embeddedUrl(tocsin.dataDir, 'floor');
    await ensureDatabase(embeddedUrl(tocsin.dataDir, 'postgres'), 'floor');
    floor = await startBaseline('bench/baselines/durable-floor.ts', floorDb, 'floor_events');
    const tocsinDb = embeddedUrl(tocsin.dataDir, 'tocsin');
    const headers = { authorization: `Bearer ${tocsin.token}`, 'content-type': 'application/json' };
    const applied = await fetch(`${tocsin.url}/api/v1/apply`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ documents: [{ file: 'peer.yaml', content: SETUP }] }),
    });
    if (!applied.ok) throw new Error(`apply → ${applied.status} ${await applied.text()}`);
    const svc = (await (await fetch(`${tocsin.url}/api/v1/services/peer`, { headers })).json()) as {
      integrations: { key: string }[];
    };
    const routingKey = svc.integrations[0]?.key as string;
    // Ingest goes to a service without a plan: alerts stored, no incident, nobody paged (as the
    // Alertmanager side's blackhole route), so the latency rounds do not queue behind them.
    const ingestSvc = (await (
      await fetch(`${tocsin.url}/api/v1/services/peer-ingest`, { headers })
    ).json()) as {
      integrations: { key: string }[];
    };
    const ingestKey = ingestSvc.integrations[0]?.key as string;
    const postmaster = Number(readFileSync(`${tocsin.dataDir}/pg/postmaster.pid`, 'utf8').split('\n')[0]);
    const amCpu = () => cpuMs(am.pid, true);
    const tocsinCpu = () => cpuMs(tocsin.pid, true) + clusterCpuMs(postmaster);
    const floorPid = floor.pid;
    const floorCpu = () => cpuMs(floorPid, true) + clusterCpuMs(postmaster);
    const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(
      `\nTocsin next to Alertmanager ${'0.25 (Debian)'}: ${ROUNDS} interleaved rounds, load average ${load()} at start`,
    );
    console.log(
      'Durability differs: Alertmanager answers from memory (alerts snapshotted every 15 min); Tocsin answers 202 only after its PostgreSQL commit (fsync).',
    );
    console.log(
      'The durable floor answers 202 after grouped commits of the raw event to the same PostgreSQL and does nothing else (no dedup, no alert row, no routing): the cost of durability itself.',
    );
    // Ingest rounds first, each until Tocsin's engine has routed it, then the latency rounds. The other
    // way round, the thousands of incidents the latency rounds open (paged, never acknowledged)
    // escalate five minutes later (DEFAULT_ESCALATE_AFTER_SECONDS), in the middle of the ingest
    // rounds, and their second pages were counted as ingest CPU (a round "took" ~30 s of CPU after its
    // last 202). The latency rounds end within those five minutes.
    const ingests: { am: Ingest; t: Ingest; f: Ingest }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const run = `r${round}-${Date.now().toString(36)}`;
      // The floor shares Tocsin's cluster: it runs only once Tocsin's engine is idle.
      await untilRouted(tocsinDb);
      const f = await ingest(floor.url, 'pagerduty', floor.routingKey, floorCpu, `${run}-f`);
      if ((await floor.stored('new', `${run}-f`)) !== f.accepted) ok = false;
      const amI = await ingest(am.url, 'alertmanager', '', amCpu, `${run}-am`);
      const t = await ingest(tocsin.url, 'pagerduty', ingestKey, tocsinCpu, `${run}-t`, () =>
        untilRouted(tocsinDb),
      );
      // Every alert answered 202 is stored: counted after the round, not timed.
      if ((await storedAlerts(tocsinDb, 'new', `${run}-t`)) !== t.accepted) ok = false;
      ingests.push({ am: amI, t, f });
    }
    type Timed = { rate: number; amL: Latency; tL: Latency };
    const latencies: Timed[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const timed: Timed[] = [];
      for (const rate of RATES) {
        const run = `l${round}-${rate}-${Date.now().toString(36)}`;
        timed.push({
          rate,
          amL: await alertmanagerLatency(am, sink, `${run}-am`, rate),
          tL: await tocsinLatency(tocsin, routingKey, receiver, `${run}-t`, rate),
        });
      }
      latencies.push(timed);
    }
    const rows: { am: Ingest; t: Ingest; f: Ingest; timed: Timed[] }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { am: amI, t: tI, f: fI } = ingests[round] as (typeof ingests)[number];
      const timed = latencies[round] ?? [];
      rows.push({ am: amI, t: tI, f: fI, timed });
      const notified = timed
        .map(
          ({ rate, amL, tL }) =>
            `at ${rate}/s p50/p99 AM ${amL.p50.toFixed(0)}/${amL.p99.toFixed(0)} ms Tocsin ${tL.p50.toFixed(0)}/${tL.p99.toFixed(0)} ms (not notified within 30 s: ${tL.missing}, pages per alert ${tL.perAlert.toFixed(2)})`,
        )
        .join('; ');
      console.log(
        `  round ${round + 1} (load ${load()}): new alerts/s AM ${amI.rps.toFixed(0)} floor ${fI.rps.toFixed(0)} Tocsin ${tI.rps.toFixed(0)} (${(tI.rps / amI.rps).toFixed(2)}x AM, ${(tI.rps / fI.rps).toFixed(2)}x floor); CPU/alert AM ${amI.cpuUs.toFixed(0)} µs floor ${fI.cpuUs.toFixed(0)} µs Tocsin ${tI.cpuUs.toFixed(0)} µs (${tI.settledCpuUs.toFixed(0)} µs routed, ${tI.settledMs} ms after the last 202: ${tI.sustained.toFixed(0)} alerts/s routed); alert→notification ${notified}`,
      );
      // A late page is a figure, not a failure; a second page for one alert, or a lost alert, is.
      if (timed.some(({ tL }) => tL.perAlert > 1) || tI.accepted !== REQUESTS) ok = false;
    }
    const m = (f: (r: (typeof rows)[number]) => number) => median(rows.map(f));
    console.log(`medians (load average ${load()} at end):`);
    console.log(
      `  new alerts/s, ${CONNECTIONS} connections   AM ${m((r) => r.am.rps).toFixed(0)}  Tocsin ${m((r) => r.t.rps).toFixed(0)}  ratio ${m((r) => r.t.rps / r.am.rps).toFixed(2)}x; until routed ${m((r) => r.t.sustained).toFixed(0)} (${m((r) => r.t.sustained / r.am.rps).toFixed(2)}x AM)`,
    );
    console.log(
      `  durable floor ${m((r) => r.f.rps).toFixed(0)} new alerts/s = ${m((r) => r.f.rps / r.am.rps).toFixed(2)}x AM; Tocsin ${m((r) => r.t.rps / r.f.rps).toFixed(2)}x the floor`,
    );
    console.log(
      `  CPU per new alert (process tree)  AM ${m((r) => r.am.cpuUs).toFixed(0)} µs  floor ${m((r) => r.f.cpuUs).toFixed(0)} µs  Tocsin ${m((r) => r.t.cpuUs).toFixed(0)} µs (${m((r) => r.t.settledCpuUs).toFixed(0)} µs once routed)  ratio ${m((r) => r.t.cpuUs / r.am.cpuUs).toFixed(1)}x AM`,
    );
    RATES.forEach((rate, i) => {
      const at = (r: (typeof rows)[number]) => r.timed[i] as Timed;
      console.log(
        `  alert → first notification at ${rate}/s  AM p50 ${m((r) => at(r).amL.p50).toFixed(1)} ms p99 ${m((r) => at(r).amL.p99).toFixed(1)} ms  Tocsin p50 ${m((r) => at(r).tL.p50).toFixed(0)} ms p99 ${m((r) => at(r).tL.p99).toFixed(0)} ms  ratio (p50) ${m((r) => at(r).tL.p50 / at(r).amL.p50).toFixed(0)}x`,
      );
    });
    console.log(`  Tocsin RSS after the rounds: ${rssMb(tocsin.pid).toFixed(0)} MB`);
  } finally {
    await floor?.stop();
    await tocsin.stop();
    await receiver.close();
    await am.stop();
    await sink.close();
  }
  return ok;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!(await benchPeer())) process.exitCode = 1;
}
