import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../../test/cli-harness.ts';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { acknowledgeIncident } from '../incidents/acknowledge-incident.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { publishUpdate } from '../incidents/publish-update.ts';
import { resolveIncident } from '../incidents/resolve-incident.ts';
import { savePlan } from '../plans/save-plan.ts';
import { saveService } from '../services/save-service.ts';
import { saveTeam } from '../users/save-team.ts';

// Issue 15 items 5–6: response metrics, target compliance and goals over a fixed incident history,
// built through the real operations on the virtual clock. Every expected figure is worked out by
// hand below from the history, not by the code under test.

// The "job-application platform" seed: MTTD < 5 min measured alert → acknowledgement, MTTR < 30 min
// for P0 measured detection → resolution, at most 2 P0 per quarter; MTTA keeps the default definition.
const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: jobs }
severities:
  - { id: P0, title: Critical, targets: { acknowledge: 15m, firstUpdate: 10m, resolve: 1h } }
  - { id: P1, title: High, targets: { acknowledge: 30m } }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
goals:
  mttd: { target: 5m, from: detected, to: acknowledged }
  mtta: { target: 15m }
  mttr: { bySeverity: { P0: 30m }, from: detected, to: resolved }
  maxPerQuarter: { P0: 2 }
`;

const MIN = 60_000;
let t: TestApp;
let from: string;
let to: string;

interface Step {
  severity: 'P0' | 'P1';
  service: 'api' | 'web';
  /** Minutes before declaration the problem was detected (detected_at); 0: not given. */
  detectedBefore: number;
  /** Minutes after declaration; undefined: never. */
  ack?: number;
  update?: number;
  resolve?: number;
}

/** Declares at the clock's time, then acknowledges, updates and resolves at the given minutes. */
async function incident(s: Step): Promise<string> {
  const ctx = t.ctx();
  const start = t.clock.now().getTime();
  const detected = s.detectedBefore ? new Date(start - s.detectedBefore * MIN).toISOString() : undefined;
  const { id } = await declareIncident({
    ctx,
    input: {
      title: `${s.severity} on ${s.service}`,
      severity: s.severity,
      service: s.service,
      ...(detected ? { detected_at: detected } : {}),
    },
  });
  const moves: [number | undefined, () => Promise<unknown>][] = [
    [s.ack, () => acknowledgeIncident({ ctx, input: { incidentId: id } })],
    [
      s.update,
      () =>
        publishUpdate({
          ctx,
          input: { incidentId: id, audience: 'internal', bodies: { en: 'working on it' } },
        }),
    ],
    [s.resolve, () => resolveIncident({ ctx, input: { incidentId: id } })],
  ];
  const due = moves
    .filter((m): m is [number, () => Promise<unknown>] => m[0] !== undefined)
    .sort((a, b) => a[0] - b[0]);
  for (const [at, run] of due) {
    t.clock.set(new Date(start + at * MIN));
    await run();
  }
  return id;
}

beforeAll(async () => {
  t = await testApp();
  const ctx = t.ctx();
  await savePlan({ ctx, input: { source: PLAN } });
  await saveTeam({ ctx, input: { team: { name: 'core', description: '', members: [] }, mode: 'create' } });
  await saveTeam({ ctx, input: { team: { name: 'front', description: '', members: [] }, mode: 'create' } });
  await saveService({ ctx, input: { service: { name: 'api', plan: 'jobs', team: 'core' }, mode: 'create' } });
  await saveService({
    ctx,
    input: { service: { name: 'web', plan: 'jobs', team: 'front' }, mode: 'create' },
  });
  from = t.clock.now().toISOString();
  //            detect→ack (mttd)  declare→ack (mtta)  detect→resolve (mttr)
  // #1 P0 api        6m                4m                 22m    ack met, update 8m met, resolve met
  await incident({ severity: 'P0', service: 'api', detectedBefore: 2, ack: 4, update: 8, resolve: 20 });
  t.clock.advance(60 * MIN);
  // #2 P0 web       10m               10m                 40m    ack met, update 12m breached, resolve met
  await incident({ severity: 'P0', service: 'web', detectedBefore: 0, ack: 10, update: 12, resolve: 40 });
  t.clock.advance(60 * MIN);
  // #3 P0 api       21m               20m                 71m    ack breached, no update (breached), resolve breached
  await incident({ severity: 'P0', service: 'api', detectedBefore: 1, ack: 20, resolve: 70 });
  t.clock.advance(60 * MIN);
  // #4 P1 web        8m                3m                105m    ack met
  await incident({ severity: 'P1', service: 'web', detectedBefore: 5, ack: 3, resolve: 100 });
  t.clock.advance(60 * MIN);
  // #5 P1 api: never acknowledged; 45 minutes later its 30m acknowledge target is breached.
  await incident({ severity: 'P1', service: 'api', detectedBefore: 0 });
  t.clock.advance(44 * MIN);
  // #6 P1 api: declared a minute before the report; its acknowledge target is pending.
  await incident({ severity: 'P1', service: 'api', detectedBefore: 0 });
  t.clock.advance(1 * MIN);
  to = new Date(t.clock.now().getTime() + 1).toISOString();
});
afterAll(() => t.close());

const get = async (path: string) => {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/v1/reports/${path}`,
    headers: auth(t.adminToken),
  });
  return res;
};
const period = () => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
const m = (minutes: number) => Math.round(minutes * MIN);

describe('response metrics', () => {
  it('computes mean, median and p90 overall and per severity, service and team', async () => {
    const res = await get(`metrics?${period()}`);
    expect(res.statusCode).toBe(200);
    const { rows, definitions } = res.json();
    expect(definitions).toEqual({
      mttd: { from: 'detected', to: 'acknowledged' },
      mtta: { from: 'declared', to: 'acknowledged' },
      mttr: { from: 'detected', to: 'resolved' },
    });
    const row = (by: string, group: string | null) =>
      rows.find((r: { group_by: string; group: string | null }) => r.group_by === by && r.group === group);
    const close = (v: number | null, want: number) => expect(Math.round(v ?? Number.NaN)).toBe(want);
    const all = row('all', null);
    expect(all).toMatchObject({ incidents: 6, resolved: 4 });
    // mtta over [4, 10, 20, 3]: mean 9.25m; median of [3, 4, 10, 20] = 7m; p90 at rank 2.7 = 10 + 0.7 × 10 = 17m.
    expect(all.mtta.count).toBe(4);
    close(all.mtta.mean_ms, m(9.25));
    close(all.mtta.median_ms, m(7));
    close(all.mtta.p90_ms, m(17));
    // mttd over [6, 10, 21, 8]: mean 11.25m, median 9m.
    close(all.mttd.mean_ms, m(11.25));
    close(all.mttd.median_ms, m(9));
    const p0 = row('severity', 'P0');
    expect(p0).toMatchObject({ incidents: 3, resolved: 3 });
    // mttr P0 over [22, 40, 71]: mean 44.33m; median 40m; p90 at rank 1.8 = 40 + 0.8 × 31 = 64.8m.
    close(p0.mttr.mean_ms, m(133 / 3));
    close(p0.mttr.median_ms, m(40));
    close(p0.mttr.p90_ms, m(64.8));
    // mtta P0 over [4, 10, 20]: p90 = 10 + 0.8 × 10 = 18m.
    close(p0.mtta.p90_ms, m(18));
    expect(row('severity', 'P1')).toMatchObject({ incidents: 3, resolved: 1 });
    // Team core owns api: incidents #1, #3, #5, #6; mtta over [4, 20]: mean 12m, p90 = 4 + 0.9 × 16 = 18.4m.
    const core = row('team', 'core');
    expect(core).toMatchObject({ incidents: 4, resolved: 2 });
    close(core.mtta.mean_ms, m(12));
    close(core.mtta.p90_ms, m(18.4));
    expect(row('service', 'web')).toMatchObject({ incidents: 2, resolved: 2 });
  });

  it('counts only the period asked for, and refuses an empty or malformed one', async () => {
    const later = await get(
      `metrics?from=${encodeURIComponent(to)}&to=${encodeURIComponent(new Date(Date.parse(to) + MIN).toISOString())}`,
    );
    expect(later.json().rows).toEqual([expect.objectContaining({ group_by: 'all', incidents: 0 })]);
    const empty = await get(`metrics?from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`);
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.details[0].path).toBe('from');
    const bad = await get('metrics?from=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('querystring.from');
    const unknown = await get(`metrics?${period()}&plan=nope`);
    expect(unknown.statusCode).toBe(404);
  });

  it('answers CSV', async () => {
    const res = await get(`metrics?${period()}&format=csv`);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const [header, first] = res.body.split('\r\n');
    expect(header).toBe(
      'group_by,group,incidents,resolved,mttd_count,mttd_mean_s,mttd_median_s,mttd_p90_s,mtta_count,mtta_mean_s,mtta_median_s,mtta_p90_s,mttr_count,mttr_mean_s,mttr_median_s,mttr_p90_s',
    );
    // all: mtta 555 s mean (9.25m), 420 s median, 1020 s p90.
    expect(first).toMatch(/^all,,6,4,4,675,540,[0-9.]+,4,555,420,1020,4,/);
  });
});

describe('target compliance', () => {
  it('counts met, breached and pending per target and severity, and in total', async () => {
    const { rows } = (await get(`compliance?${period()}`)).json();
    const row = (target: string, severity: string | null) =>
      rows.find(
        (r: { target: string; severity: string | null }) => r.target === target && r.severity === severity,
      );
    expect(row('acknowledge', 'P0')).toMatchObject({ met: 2, breached: 1, pending: 0 });
    expect(row('firstUpdate', 'P0')).toMatchObject({ met: 1, breached: 2, pending: 0 });
    expect(row('resolve', 'P0')).toMatchObject({ met: 2, breached: 1, pending: 0 });
    expect(row('acknowledge', 'P1')).toMatchObject({ met: 1, breached: 1, pending: 1, rate: 0.5 });
    expect(row('acknowledge', null)).toMatchObject({ met: 3, breached: 2, pending: 1, rate: 0.6 });
    expect(row('resolve', 'P1')).toBeUndefined();
  });
});

describe('goals', () => {
  it("judges the plan's goals: MTTD, MTTA, MTTR for P0 and P0 incidents per quarter", async () => {
    const { goals, plan } = (await get(`goals?${period()}&plan=jobs`)).json();
    expect(plan).toBe('jobs');
    expect(goals).toEqual([
      {
        goal: 'mttd',
        severity: null,
        description: 'MTTD: detected → acknowledged',
        target: m(5),
        actual: m(11.25),
        met: false,
      },
      {
        goal: 'mtta',
        severity: null,
        description: 'MTTA: declared → acknowledged',
        target: m(15),
        actual: m(9.25),
        met: true,
      },
      {
        goal: 'mttr',
        severity: 'P0',
        description: 'MTTR: detected → resolved',
        target: m(30),
        actual: expect.closeTo(m(133 / 3), 0),
        met: false,
      },
      {
        goal: 'maxPerQuarter',
        severity: 'P0',
        description: 'at most 2 P0 incidents per quarter',
        target: 2,
        actual: 3,
        met: false,
      },
    ]);
    const csv = (await get(`goals?${period()}&plan=jobs&format=csv`)).body;
    expect(csv.split('\r\n')[0]).toBe('goal,severity,description,target,actual,met');
    expect(csv).toContain('maxPerQuarter,P0,at most 2 P0 incidents per quarter,2,3,false');
  });
});

describe('the CLI', () => {
  it('prints goals as a table and metrics as the same CSV the API answers', async () => {
    const tocsin = await cliAgainst(t);
    const goals = await tocsin('report', 'goals', '--plan', 'jobs', '--from', from, '--to', to);
    expect(goals.stderr).toBe('');
    expect(goals.stdout).toMatch(/mttd\s+all\s+5m\s+11m15s\s+NO/);
    expect(goals.stdout).toMatch(/mtta\s+all\s+15m\s+9m15s\s+yes/);
    const csv = await tocsin('report', 'metrics', '--from', from, '--to', to, '--csv');
    expect(csv.stdout).toBe((await get(`metrics?${period()}&format=csv`)).body);
  });
});
