import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ALERTMANAGER_BIN,
  alertmanagerAlerts,
  type Daemon,
  PROMETHEUS_BIN,
  type Prometheus,
  requireBinary,
  startAlertmanager,
  startPrometheus,
} from '../../scripts/lib/prometheus.ts';
import { type ServerHandle, startServer } from '../../scripts/lib/tocsin-process.ts';
import { call, systemDatabase, systemToken, until } from './support.ts';

// Real components: Debian's Prometheus evaluates two rules that fire at once, Debian's Alertmanager
// groups them and notifies two Tocsin instances on one PostgreSQL 15 with the same integration key,
// re-sending the whole group every few seconds. Tocsin must keep one alert per fingerprint, count the
// repeats, and resolve each alert on its own status (the group's stays `firing`).

const DEADLINE_MS = 90_000;
const POLL_MS = 200;
const SERVICE = 'prometheus-system';
const CRITICAL = 'TocsinSystemCritical';
const WARNING = 'TocsinSystemWarning';
const INBOUND_ROUTE = '/api/v1/integrations/:type/:key';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, 'fixtures', 'prometheus', name), 'utf8');

/** Replaces each ${NAME}; a placeholder left without a value is a mistake in the fixture. */
function fillIn(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for \${${name}} in a fixture`);
    return value;
  });
}

interface TocsinAlert {
  id: number | string;
  dedup_key: string;
  status: string;
  count: number;
  severity: string;
  summary: string;
  labels: Record<string, string>;
  resolved_at: string | null;
}

const token = systemToken();
const cleanups: (() => Promise<unknown> | unknown)[] = [];
let servers: ServerHandle[] = [];
let alertmanager: Daemon;
let prometheus: Prometheus;
let integrationPath: string;

beforeAll(async () => {
  // Before anything else: a missing binary must say what to run, not fail somewhere later.
  requireBinary(PROMETHEUS_BIN);
  requireBinary(ALERTMANAGER_BIN);
  const db = await systemDatabase(inject('pgAdminUrl'), 'alertmanager');
  cleanups.push(() => db.close());
  const env = { DATABASE_URL: db.url, TOCSIN_ADMIN_TOKEN: token, TOCSIN_ENGINE_INTERVAL_MS: '200' };
  const started = await Promise.allSettled([startServer(env), startServer(env)]);
  for (const s of started) if (s.status === 'fulfilled') cleanups.push(() => s.value.stop());
  servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;

  const [first] = servers as [ServerHandle];
  const service = await call(first, token, 'POST', '/api/v1/services', { name: SERVICE });
  expect(service.status, JSON.stringify(service.json)).toBe(201);
  const created = await call(first, token, 'POST', `/api/v1/services/${SERVICE}/integrations`, {
    type: 'alertmanager',
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  // The URL Tocsin hands out (its public URL); each instance serves the same path.
  integrationPath = new URL((created.json.integration as { url: string }).url).pathname;

  const webhooks = servers.map((s) => ({ url: s.url + integrationPath, send_resolved: true }));
  alertmanager = await startAlertmanager(
    fillIn(fixture('alertmanager.yml'), { WEBHOOK_CONFIGS: JSON.stringify(webhooks) }),
  );
  cleanups.push(() => alertmanager.stop());
  prometheus = await startPrometheus({
    config: (self) => fillIn(fixture('prometheus.yml'), { SELF: self, ALERTMANAGER: alertmanager.address }),
    files: { 'rules.yml': fixture('rules-firing.yml') },
    // A reload leaves Prometheus without Alertmanager targets until its discovery re-syncs (up to
    // ~5 s, longer on a busy machine): alerts must stay valid longer than that, or Alertmanager times
    // them ALL out and sends them resolved. They are valid 4 × 15 s = 60 s, a wide margin; a resolved
    // alert is still re-sent every 15 s until one send gets through (within DEADLINE_MS).
    resendDelay: '15s',
  });
  cleanups.push(() => prometheus.stop());
});

afterAll(async () => {
  // Newest first: Prometheus, Alertmanager, the instances, then the database they used.
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error('cleanup failed:', error);
    }
  }
});

// Reads alternate between the instances: both must show the same store.
let reads = 0;
const nextServer = () => servers[reads++ % servers.length] as ServerHandle;

/** Statuses each alert (by alertname) must have whenever it is seen; a breach is recorded. */
let mustStay: Record<string, string> = {};
const violations: string[] = [];

/** The service's alerts (all statuses), checking on every read that no fingerprint got a second row. */
async function serviceAlerts(): Promise<TocsinAlert[]> {
  const res = await call(nextServer(), token, 'GET', `/api/v1/alerts?service=${SERVICE}&status=all`);
  if (res.status !== 200) throw new Error(`GET /api/v1/alerts answered ${res.status}`);
  const list = res.json.alerts as TocsinAlert[];
  const keys = new Set(list.map((a) => a.dedup_key));
  if (list.length > 2 || keys.size !== list.length) {
    violations.push(`more than one alert per fingerprint: ${JSON.stringify(list)}`);
  }
  for (const alert of list) {
    const want = mustStay[alert.labels.alertname ?? ''];
    if (want && alert.status !== want) {
      violations.push(
        `${alert.labels.alertname} is ${alert.status}, expected ${want} (count ${alert.count})`,
      );
    }
  }
  return list;
}

function named(list: TocsinAlert[], alertname: string): TocsinAlert | undefined {
  return list.find((a) => a.labels.alertname === alertname);
}

/** Alertmanager's notifications as one instance answered them (its /metrics), by 2xx or not. */
async function notificationsAnswered(server: ServerHandle): Promise<{ accepted: number; refused: number }> {
  const headers = { authorization: `Bearer ${server.token}` };
  const text = await (await fetch(`${server.url}/metrics`, { headers })).text();
  let accepted = 0;
  let refused = 0;
  for (const line of text.split('\n')) {
    const m = /^tocsin_http_requests_total\{([^}]*)\} (\d+)/.exec(line);
    if (!m?.[1]?.includes(`route="${INBOUND_ROUTE}"`) || !m[1].includes('method="POST"')) continue;
    if (/status="2\d\d"/.test(m[1])) accepted += Number(m[2]);
    else refused += Number(m[2]);
  }
  return { accepted, refused };
}

/** Polls every POLL_MS up to DEADLINE_MS for a value other than false; a violation ends the wait. */
async function waitFor<T>(what: string, probe: () => Promise<T | false>): Promise<T> {
  let found: { value: T } | undefined;
  await until(
    what,
    async () => {
      if (violations.length > 0) return true;
      const value = await probe();
      if (value !== false) found = { value };
      return found !== undefined;
    },
    DEADLINE_MS,
    POLL_MS,
  );
  expect(violations).toEqual([]);
  if (!found) throw new Error(`no value for ${what}`);
  return found.value;
}

describe('Prometheus → Alertmanager → two Tocsin instances on PostgreSQL 15', () => {
  it('Alertmanager notifies both instances, which share one store', async () => {
    const status = await (await fetch(`${alertmanager.url}/api/v2/status`)).json();
    const original = (status as { config: { original: string } }).config.original;
    for (const s of servers) expect(original).toContain(s.url + integrationPath);
    for (const s of servers) {
      const res = await call(s, token, 'GET', `/api/v1/services/${SERVICE}`);
      expect(res.status).toBe(200);
    }
  });

  it('each firing alert arrives once while the group is re-sent to both instances', async () => {
    mustStay = { [CRITICAL]: 'triggered', [WARNING]: 'triggered' };
    const list = await waitFor('both alerts in Tocsin', async () => {
      const now = await serviceAlerts();
      return now.length === 2 && now;
    });
    expect(named(list, CRITICAL)).toMatchObject({ severity: 'critical', status: 'triggered' });
    expect(named(list, WARNING)).toMatchObject({ severity: 'warning', status: 'triggered' });
    expect(named(list, CRITICAL)?.summary).toBe('Critical test alert from a real Prometheus');
    // One alert per Alertmanager fingerprint.
    const fingerprints = (await alertmanagerAlerts(alertmanager)).map((a) => a.fingerprint);
    expect(list.map((a) => a.dedup_key).sort()).toEqual(fingerprints.sort());

    // Several notifications of the same group reach each instance; they only bump counts.
    await waitFor('three notifications on each instance, counted on each alert', async () => {
      const answered = await Promise.all(servers.map(notificationsAnswered));
      const now = await serviceAlerts();
      return (
        answered.every((a) => a.accepted >= 3) && now.length === 2 && now.every((a) => a.count >= 6) && now
      );
    });
    for (const s of servers) expect((await notificationsAnswered(s)).refused).toBe(0);
    const open = await call(nextServer(), token, 'GET', `/api/v1/alerts?service=${SERVICE}&status=open`);
    expect((open.json.alerts as TocsinAlert[]).length).toBe(2);
  });

  it('an alert that stops firing resolves while the other in its group stays open', async () => {
    mustStay = { [CRITICAL]: 'triggered' };
    prometheus.writeFile('rules.yml', fixture('rules-one-resolved.yml'));
    await prometheus.reload();
    const resolved = await waitFor(`${WARNING} resolved in Tocsin`, async () => {
      const list = await serviceAlerts();
      return named(list, WARNING)?.status === 'resolved' && list;
    });
    const countThen = named(resolved, CRITICAL)?.count ?? 0;

    // Alertmanager keeps notifying the group, still `firing` as a whole: the critical alert keeps
    // counting, the warning stays resolved and gets no second alert.
    mustStay = { [CRITICAL]: 'triggered', [WARNING]: 'resolved' };
    const later = await waitFor('more notifications of the still-firing group', async () => {
      const list = await serviceAlerts();
      return (named(list, CRITICAL)?.count ?? 0) >= countThen + 4 && list;
    });
    expect(later).toHaveLength(2);
    expect(named(later, CRITICAL)).toMatchObject({ status: 'triggered', resolved_at: null });
    expect(named(later, WARNING)?.resolved_at).toEqual(expect.any(String));
    const open = await call(nextServer(), token, 'GET', `/api/v1/alerts?service=${SERVICE}&status=open`);
    expect((open.json.alerts as TocsinAlert[]).map((a) => a.labels.alertname)).toEqual([CRITICAL]);
    for (const s of servers) expect((await notificationsAnswered(s)).refused).toBe(0);
  });
});
