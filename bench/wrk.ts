import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Drives Debian's `wrk` (a C load generator, its own process) with a bounded number of requests:
// a Node load generator in one process tops out below the rates measured here. The Lua script sends
// exactly `requests` PagerDuty events per run and counts the answers by status; requests sent after
// the last event (while the other connections finish) are `GET /health`, which stores nothing, so
// "answered 202" can be compared exactly with what the store holds.

export interface WrkRun {
  /** Server base URL (loopback). */
  url: string;
  routingKey: string;
  /** 'new': a distinct dedup key per request; 'repeat': one dedup key for all. */
  mode: 'new' | 'repeat';
  /** Prefix of the dedup keys (new), or the one dedup key (repeat). */
  key: string;
  requests: number;
  connections: number;
  /** Safety bound on the run's length in seconds. */
  maxSeconds?: number;
  /**
   * The wire format: a PagerDuty event to Tocsin's /v2/enqueue (answered 202), or one alert in
   * Alertmanager's own API, POST /api/v2/alerts (answered 200) — the peer benchmark. Default pagerduty.
   */
  format?: 'pagerduty' | 'alertmanager';
}

// The same ~1 KB alert in Alertmanager's API: labels (the key makes each alert new) and annotations.
function alertmanagerParts(): { head: string; tail: string; size: number } {
  const head =
    '[{"labels":{"alertname":"DiskFull","instance":"db-17.example.com","severity":"critical","bench":"ingest","key":"';
  const annotations = {
    summary: 'Disk 97% on db-17',
    metric: 'disk_used_percent',
    value: '97.5',
    pad: 'x'.repeat(700),
  };
  const tail = `"},"annotations":${JSON.stringify(annotations)}}]`;
  return { head, tail, size: head.length + tail.length + 24 };
}

export interface WrkResult {
  accepted: number;
  shed: number;
  other: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  socketErrors: number;
  bodyBytes: number;
}

/** wrk from Debian; installed on first use when we are root (scripts install it the same way). */
export function ensureWrk(): boolean {
  const found = () => {
    try {
      execFileSync('wrk', ['--version'], { stdio: 'ignore' });
      return true;
    } catch (error) {
      // `wrk --version` prints its usage and exits 1: that still means it is installed.
      return (error as { status?: number }).status === 1;
    }
  };
  if (found()) return true;
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync(
      'bash',
      ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk'],
      {
        stdio: 'ignore',
      },
    );
  } catch {
    return false;
  }
  return found();
}

// A PagerDuty Events v2 trigger of about 1 KB (the body size).
function bodyParts(routingKey: string): { head: string; tail: string; size: number } {
  const head = `{"routing_key":"${routingKey}","event_action":"trigger","dedup_key":"`;
  const details = {
    host: 'db-17.example.com',
    metric: 'disk_used_percent',
    value: 97.5,
    pad: 'x'.repeat(700),
  };
  const tail = `","payload":{"summary":"Disk 97% on db-17","source":"db-17.example.com","severity":"critical","component":"postgres","custom_details":${JSON.stringify(details)}}}`;
  return { head, tail, size: head.length + tail.length + 24 };
}

const lua = (run: WrkRun, head: string, tail: string) => `
local quota = ${run.requests}
local mode = "${run.mode}"
local key = "${run.key}"
local head = '${head}'
local tail = '${tail}'
local threads = {}
local headers = { ["Content-Type"] = "application/json" }
local path = "${run.format === 'alertmanager' ? '/api/v2/alerts' : '/v2/enqueue'}"
local ok = ${run.format === 'alertmanager' ? 200 : 202}
-- After the quota: requests that store nothing, answered with a status no alert gets.
local filler = "${run.format === 'alertmanager' ? '/-/bench-filler' : '/health'}"
local fillerStatus = ${run.format === 'alertmanager' ? 404 : 200}
function setup(thread) table.insert(threads, thread) end
-- wrk calls request() once before the run to check the request (thread 0 only: we run one thread)
-- and discards it: start at -1 so exactly quota events go out.
function init(args) sent = -1; accepted = 0; shed = 0; other = 0 end
function request()
  if sent >= quota then return wrk.format("GET", filler) end
  sent = sent + 1
  local k = key
  if mode == "new" then k = key .. "-" .. sent end
  return wrk.format("POST", path, headers, head .. k .. tail)
end
function response(status, hdrs, body)
  if status == ok then accepted = accepted + 1
  elseif status == 429 then shed = shed + 1
  elseif status == fillerStatus then return
  else other = other + 1 end
  if accepted + shed + other == quota then
    -- wrk's main thread sleeps for -d regardless; SIGINT (sent by runWrk on this line) ends it early.
    wrk.thread:stop()
    io.write("WRK_QUOTA\\n")
    io.stdout:flush()
  end
end
function done(summary, latency, requests)
  local a, s, o = 0, 0, 0
  for _, t in ipairs(threads) do a = a + t:get("accepted"); s = s + t:get("shed"); o = o + t:get("other") end
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"accepted":%d,"shed":%d,"other":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"socket_errors":%d}\\n',
    a, s, o, summary.duration, latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout))
end
`;

/** One bounded run: one wrk thread (the generator must not starve the server of the 2 cores), N connections. */
export async function runWrk(run: WrkRun): Promise<WrkResult> {
  const { head, tail, size } =
    run.format === 'alertmanager' ? alertmanagerParts() : bodyParts(run.routingKey);
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-wrk-'));
  const script = join(dir, 'ingest.lua');
  writeFileSync(script, lua(run, head, tail));
  try {
    const args = [
      '-t1',
      `-c${run.connections}`,
      `-d${run.maxSeconds ?? 120}s`,
      '--timeout',
      '10s',
      '-s',
      script,
    ];
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', [...args, run.url], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d) => {
        text += d;
        if (text.includes('WRK_QUOTA') && !text.includes('WRK_RESULT')) child.kill('SIGINT');
      });
      child.stderr.on('data', (d) => {
        text += d;
      });
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`)),
      );
    });
    const line = out.split('\n').find((l) => l.startsWith('WRK_RESULT '));
    if (!line) throw new Error(`wrk printed no result:\n${out}`);
    const r = JSON.parse(line.slice('WRK_RESULT '.length)) as Record<string, number>;
    const seconds = (r.duration_us ?? 0) / 1e6;
    const answered = (r.accepted ?? 0) + (r.shed ?? 0) + (r.other ?? 0);
    return {
      accepted: r.accepted ?? 0,
      shed: r.shed ?? 0,
      other: r.other ?? 0,
      seconds,
      rps: answered / seconds,
      p50: (r.p50_us ?? 0) / 1000,
      p99: (r.p99_us ?? 0) / 1000,
      socketErrors: r.socket_errors ?? 0,
      bodyBytes: size,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
