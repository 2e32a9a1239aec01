import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import {
  PROMETHEUS_BIN,
  type Prometheus,
  requireBinary,
  startPrometheus,
} from '../../scripts/lib/prometheus.ts';
import { type ServerHandle, startServer } from '../../scripts/lib/tocsin-process.ts';
import { call, systemDatabase, systemToken, until } from './support.ts';

// Issue 15 item 1 against real components: Debian's Prometheus records an error ratio the test sets
// (a recording rule, rewritten and reloaded), and a `tocsin serve` on PostgreSQL 15 with
// TOCSIN_PROMETHEUS_URL verifies incidents in `monitoring` through Prometheus' query API. Nothing here
// depends on how fast anything runs: each outcome is awaited, and a check that cannot be judged (no
// data yet) keeps the incident from resolving however long it waits.

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, 'fixtures', 'verification', name), 'utf8');

const rules = (ratio: number | null) =>
  ratio === null
    ? 'groups: []\n'
    : `groups:\n  - name: verification\n    rules:\n      - record: "tocsin_test:error_ratio"\n        expr: vector(${ratio})\n`;

const token = systemToken();
const cleanups: (() => Promise<unknown> | unknown)[] = [];
let prometheus: Prometheus;
let server: ServerHandle;

interface TimelineEvent {
  kind: string;
  data: Record<string, unknown>;
}

beforeAll(async () => {
  requireBinary(PROMETHEUS_BIN);
  prometheus = await startPrometheus({
    config: (self) => fixture('prometheus.yml').replaceAll('SELF_ADDRESS', self),
    files: { 'rules.yml': rules(null) },
  });
  cleanups.push(() => prometheus.stop());
  const db = await systemDatabase(inject('pgAdminUrl'), 'verification');
  cleanups.push(() => db.close());
  server = await startServer({
    DATABASE_URL: db.url,
    TOCSIN_ADMIN_TOKEN: token,
    TOCSIN_ENGINE_INTERVAL_MS: '200',
    TOCSIN_PROMETHEUS_URL: prometheus.url,
  });
  cleanups.push(() => server.stop());
  const plan = await call(server, token, 'PUT', '/api/v1/plans/verify', undefined, fixture('plan.yaml'));
  expect([200, 201], JSON.stringify(plan.json)).toContain(plan.status);
}, 180_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Sets the recorded error ratio and waits until Prometheus answers it. */
async function setRatio(ratio: number): Promise<void> {
  prometheus.writeFile('rules.yml', rules(ratio));
  await prometheus.reload();
  await until(`Prometheus to record an error ratio of ${ratio}`, async () => {
    const res = await fetch(
      `${prometheus.url}/api/v1/query?query=${encodeURIComponent('tocsin_test:error_ratio')}`,
    );
    const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
    return body.data?.result?.[0]?.value[1] === String(ratio);
  });
}

async function declareInMonitoring(title: string): Promise<string> {
  const declared = await call(server, token, 'POST', '/api/v1/incidents', {
    title,
    plan: 'verify',
    severity: 'P0',
  });
  expect(declared.status, JSON.stringify(declared.json)).toBe(201);
  const id = String((declared.json.incident as { id: string }).id);
  for (const to of ['identified', 'monitoring']) {
    const moved = await call(server, token, 'POST', `/api/v1/incidents/${id}/transition`, { to });
    expect(moved.status, JSON.stringify(moved.json)).toBe(200);
  }
  return id;
}

async function timeline(id: string): Promise<TimelineEvent[]> {
  const res = await call(server, token, 'GET', `/api/v1/incidents/${id}/timeline`);
  return res.json.events as TimelineEvent[];
}

it('an incident resolves only once every check held in Prometheus for the window', async () => {
  const id = await declareInMonitoring('Apply button errors');
  const started = (await timeline(id)).find((e) => e.kind === 'verification.started');
  expect(started?.data).toMatchObject({ monitor_for: '2s', every: '1s' });
  // The check Prometheus cannot judge is ticked by hand.
  const detail = await call(server, token, 'GET', `/api/v1/incidents/${id}`);
  expect(JSON.stringify(detail.json)).toContain('Health checks passing');

  // No series recorded yet: Prometheus answers an empty vector, which is no verdict, so the incident
  // cannot resolve; the refusal shows the run Prometheus answered.
  const refused = await until('a run that found no data', async () => {
    const res = await call(server, token, 'POST', `/api/v1/incidents/${id}/resolve`, {});
    if (res.status !== 409) throw new Error(`resolve answered ${res.status}: ${JSON.stringify(res.json)}`);
    const message = (res.json.error as { message: string }).message;
    // Itself it scrapes from the start; a run before its first scrape finds no data there either.
    const judged = message.includes('Error ratio back to baseline: the query returned no data');
    return judged && message.includes('Prometheus scrapes itself = 1') ? message : undefined;
  });
  expect(refused).toContain('before it resolves');

  await setRatio(0.0004);
  const passed = await until('the verification to pass', async () =>
    (await timeline(id)).find((e) => e.kind === 'verification.passed'),
  );
  expect(passed.data.results).toEqual([
    'Error ratio back to baseline = 0.0004 (must be below 0.001)',
    'Prometheus scrapes itself = 1 (must be above 0.5)',
  ]);
  const resolved = await call(server, token, 'POST', `/api/v1/incidents/${id}/resolve`, {});
  expect(resolved.status, JSON.stringify(resolved.json)).toBe(200);
}, 120_000);

it('a breach sends the incident back to identified and tells the commander', async () => {
  await setRatio(0.05);
  const id = await declareInMonitoring('Apply button errors again');
  const failed = await until('the verification to fail', async () =>
    (await timeline(id)).find((e) => e.kind === 'verification.failed'),
  );
  expect(failed.data).toMatchObject({
    reason: 'Error ratio back to baseline = 0.05 (must be below 0.001)',
    returned_to: 'identified',
  });
  const detail = await call(server, token, 'GET', `/api/v1/incidents/${id}`);
  expect((detail.json.incident as { state: string }).state).toBe('identified');
  const reminded = await until('the commander to be reminded', async () =>
    (await timeline(id)).find(
      (e) => e.kind === 'workflow.fired' && e.data.workflow === 'plan: verification failed',
    ),
  );
  expect(JSON.stringify(reminded.data)).toContain('remind');
}, 120_000);
