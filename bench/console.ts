import { readFileSync } from 'node:fs';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/lib/tocsin-process.ts';
import { initialSize } from '../scripts/web-size.ts';
import { ensureDatabase, withDatabase } from '../src/db/connect.ts';
import { CHROMIUM_ARGS } from '../test/system/console/harness.ts';
import { type Measured, seed, wrkGet } from './lists.ts';
import { embeddedStore } from './stores.ts';
import { ensureWrk } from './wrk.ts';

// The web console at 10,000 incidents (issue 12), next to /health on the same server in the same
// minute: the API calls the incident list makes (the console's own query, and the team and "mine"
// filters) with wrk; the incident page's time to interactive in Chromium (navigation timing, median
// of 5, target under 1 s); the initial JS+CSS gzip size against its 300 KB budget. Figures only:
// nothing here asserts a timing; the last lines state the three figures against their targets.

const INCIDENTS = Number(process.env.BENCH_CONSOLE_INCIDENTS ?? 10_000);
/** BENCH_CONSOLE_PAGE_ONLY=1 skips the list API runs (wrk) and measures the page alone. */
const PAGE_ONLY = process.env.BENCH_CONSOLE_PAGE_ONLY === '1';
const PAGE_RUNS = 5;
const TTI_TARGET_MS = 1000;
const CONNECTIONS_NOTE = `wrk, ${process.env.BENCH_LIST_CONNECTIONS ?? 16} connections`;
const PASSWORD = 'bench console password';
/** How long the main thread must stay free of long tasks after the mark before TTI is read. */
const QUIET_MS = 1000;
const MARK = 'tocsin:incident-interactive';

const verdict = (ok: boolean) => (ok ? 'within' : 'OVER');

// In the page before any script: long tasks (> 50 ms on the main thread) as they happen.
const LONG_TASKS = `window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longTasks.push(e.startTime + e.duration);
}).observe({ type: 'longtask', buffered: true });`;

interface Tti {
  median: number;
  runs: number[];
  domContentLoaded: number;
  /** Requests (the document, scripts, styles, API calls) started before the page was interactive. */
  requests: number;
  /** The JavaScript fetched before then, as it came over the wire (gzip), in KB. */
  scriptKb: number;
  /** Which scripts those were (file name and KB as sent), so a regression names its chunk. */
  scripts: string[];
  /** Main-thread busy time until the mark (Chromium's TaskDuration / ScriptDuration), median, ms. */
  taskMs: number;
  scriptMs: number;
  /** The last run's requests before interactive: path, start → end (ms from navigation start). */
  waterfall: string[];
}

/**
 * The incident page's time to interactive, from Chromium's navigation timing: milliseconds from the
 * navigation's start to the later of the page's own mark (the incident on screen with its actions,
 * web/src/incidents/incident-page.tsx) and the end of the last long task before the main thread
 * stays quiet for QUIET_MS. Each run is a fresh browser context (cold HTTP cache) signed in with a
 * password session cookie, as a responder opening the link of a page email.
 */
async function timeToInteractive(url: string, token: string, incidentId: string): Promise<Tti> {
  const me = await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  const handle = ((await me.json()) as { user: { handle: string } }).user.handle;
  const set = await fetch(`${url}/api/v1/users/${handle}/password`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ password: PASSWORD }),
  });
  if (!set.ok) throw new Error(`setting the bench password answered ${set.status}`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const runs: number[] = [];
  const dcl: number[] = [];
  let requests = 0;
  let scriptKb = 0;
  let scripts: string[] = [];
  let waterfall: string[] = [];
  const taskMs: number[] = [];
  const scriptMs: number[] = [];
  try {
    for (let i = 0; i < PAGE_RUNS; i++) {
      const context = await browser.newContext({ baseURL: url });
      try {
        const login = await context.request.post('/api/v1/auth/login', {
          data: { login: handle, password: PASSWORD },
        });
        if (!login.ok()) throw new Error(`sign-in answered ${login.status()}`);
        await context.addInitScript(LONG_TASKS);
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
        await page.goto(`/incidents/${incidentId}`);
        await page.waitForFunction(`performance.getEntriesByName('${MARK}').length > 0`, null, {
          timeout: 60_000,
          polling: 'raf',
        });
        // Main-thread work up to (about) the mark: independent of how long the machine made it wait.
        const { metrics } = await cdp.send('Performance.getMetrics');
        const metric = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
        taskMs.push(metric('TaskDuration'));
        scriptMs.push(metric('ScriptDuration'));
        await page.waitForTimeout(QUIET_MS);
        // A string runs in the page (this file is type-checked without the DOM).
        // Load-independent figures beside the wall time: what the browser had to fetch first.
        const t = await page.evaluate<{
          mark: number;
          longTaskEnd: number;
          dcl: number;
          requests: number;
          scriptBytes: number;
          scripts: string[];
          waterfall: string[];
        }>(`(() => {
          const mark = performance.getEntriesByName('${MARK}')[0].startTime;
          const before = performance.getEntriesByType('resource').filter((r) => r.startTime < mark);
          return {
            mark,
            longTaskEnd: Math.max(0, ...window.__longTasks),
            dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
            requests: 1 + before.length,
            scriptBytes: before
              .filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'))
              .reduce((sum, r) => sum + r.encodedBodySize, 0),
            scripts: before
              .filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'))
              .map((r) => r.name.split('/').pop() + ' ' + (r.encodedBodySize / 1024).toFixed(1)),
            waterfall: [performance.getEntriesByType('navigation')[0], ...before].map((r) => {
              const server = (r.serverTiming ?? []).map((s) => s.name + ' ' + s.duration.toFixed(1)).join(' ');
              const u = new URL(r.name);
              return (u.pathname + u.search).slice(0, 48) + ' ' + r.startTime.toFixed(0) + '→' +
                r.responseEnd.toFixed(0) + (server ? ' (server ' + server + ' ms)' : '');
            }),
          };
        })()`);
        runs.push(Math.max(t.mark, t.longTaskEnd));
        dcl.push(t.dcl);
        requests = t.requests;
        scriptKb = t.scriptBytes / 1024;
        scripts = t.scripts;
        waterfall = t.waterfall;
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  return {
    median: median(runs),
    runs,
    domContentLoaded: median(dcl),
    requests,
    scriptKb,
    scripts,
    taskMs: median(taskMs),
    scriptMs: median(scriptMs),
    waterfall,
  };
}

function row(name: string, m: Measured, health: Measured): string {
  return `${name.padEnd(44)} ${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50.toFixed(1).padStart(6)} ms  p99 ${m.p99
    .toFixed(1)
    .padStart(6)} ms  p99 ${(m.p99 / health.p99).toFixed(1)}x of /health`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export async function benchConsole(): Promise<void> {
  if (!ensureWrk()) {
    console.log('\nconsole: skipped (wrk is not installed: apt-get install wrk)');
    return;
  }
  const store = await embeddedStore('tocsin-bench-console-');
  try {
    await ensureDatabase(store.url, 'bench_console');
    const url = withDatabase(store.url, 'bench_console');
    const server = await startServer({ DATABASE_URL: url });
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const headers = { authorization: `Bearer ${server.token}` };
      const json = { ...headers, 'content-type': 'application/json' };
      await fetch(`${server.url}/api/v1/plans/minimal`, {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/yaml' },
        body: readFileSync('examples/plans/minimal.yaml', 'utf8'),
      });
      await fetch(`${server.url}/api/v1/teams`, {
        method: 'POST',
        headers: json,
        body: '{"name":"bench-team"}',
      });
      await fetch(`${server.url}/api/v1/services`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ name: 'bench-service', team: 'bench-team' }),
      });
      const declared = await fetch(`${server.url}/api/v1/incidents`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({
          title: 'bench console',
          plan: 'minimal',
          severity: 'SEV2',
          service: 'bench-service',
        }),
      });
      const { incident } = (await declared.json()) as { incident: { id: string } };
      await seed(db, incident.id, INCIDENTS);
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
      console.log(
        `\nconsole, ${INCIDENTS.toLocaleString('en')} incidents: list API with wrk, next to /health (load average ${load})`,
      );
      let listP99 = Number.NaN;
      if (!PAGE_ONLY) {
        const health = await wrkGet(`${server.url}/health`, server.token);
        console.log(row('/health (baseline)', health, health));
        const list = (query: string) => wrkGet(`${server.url}/api/v1/incidents?${query}`, server.token);
        const consoleList = await list('state=open&limit=200');
        console.log(row('  console list (state=open, limit=200)', consoleList, health));
        console.log(row('  all, first page (limit=50)', await list('limit=50'), health));
        console.log(row('  team filter', await list('state=all&team=bench-team&limit=50'), health));
        console.log(row('  mine', await list('state=all&mine=true&limit=50'), health));

        listP99 = consoleList.p99;
      }
      const tti = await timeToInteractive(server.url, server.token, incident.id);
      const size = initialSize();
      console.log(
        `incident page time to interactive (Chromium navigation timing, cold cache, median of ${PAGE_RUNS}): ${tti.median.toFixed(0)} ms (${tti.runs
          .map((r) => r.toFixed(0))
          .join(
            ', ',
          )} ms); navigation to DOMContentLoaded ${tti.domContentLoaded.toFixed(0)} ms; before interactive: ${tti.requests} requests, ${tti.scriptKb.toFixed(1)} KB of JavaScript (as sent: brotli)`,
      );
      console.log(`  scripts before interactive (KB as sent, last run): ${tti.scripts.join(', ')}`);
      console.log(
        `  main-thread time to interactive (Chromium TaskDuration, median): ${tti.taskMs.toFixed(0)} ms, of which script ${tti.scriptMs.toFixed(0)} ms`,
      );
      console.log(
        `  requests before interactive (last run, ms from navigation start):\n    ${tti.waterfall.join('\n    ')}`,
      );
      console.log('\nconsole, issue 12 figures at 10,000 incidents:');
      console.log(
        `  initial JS+CSS         ${size.totalKb.toFixed(1).padStart(7)} KB gzip  budget ${size.budgetKb} KB  ${verdict(size.totalKb <= size.budgetKb)}`,
      );
      console.log(
        `  incident page TTI      ${tti.median.toFixed(0).padStart(7)} ms (median of ${PAGE_RUNS})  target ${TTI_TARGET_MS} ms  ${verdict(tti.median < TTI_TARGET_MS)}`,
      );
      console.log(
        `  incident list API p99  ${listP99.toFixed(1).padStart(7)} ms (the console's own query, ${CONNECTIONS_NOTE})`,
      );
    } finally {
      await db.end();
      await server.stop();
    }
  } finally {
    await store.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchConsole();
