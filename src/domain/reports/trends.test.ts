import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../../test/cli-harness.ts';
import { addUser, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { resolveIncident } from '../incidents/resolve-incident.ts';
import { pageManually } from '../paging/page-manually.ts';
import { loadPlan } from '../plans/plan.ts';
import { savePlan } from '../plans/save-plan.ts';
import { saveSchedule } from '../schedules/save-schedule.ts';
import { saveUser } from '../users/save-user.ts';

// Issue 15 §5: incident frequency trends, root-cause categories and on-call load over a fixed
// history built through the real operations on the virtual clock. Every expected figure is worked
// out by hand below from the history.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: trends }
severities:
  - { id: P0, title: Critical, postmortem: { required: true } }
  - { id: P1, title: High }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
postmortem:
  rootCauseCategories: [deployment, capacity, dependency]
`;

let t: TestApp;
const incidents: Record<string, string> = {};

async function declare(key: string, at: string, severity: 'P0' | 'P1', resolveAt?: string) {
  t.clock.set(at);
  const { id } = await declareIncident({ ctx: t.ctx(), input: { title: key, severity } });
  incidents[key] = id;
  if (resolveAt) {
    t.clock.set(resolveAt);
    await resolveIncident({ ctx: t.ctx(), input: { incidentId: id } });
  }
}

async function page(at: string, who: string) {
  t.clock.set(at);
  await pageManually({ ctx: t.ctx(), input: { target: `user:${who}`, message: `page ${who} ${at}` } });
}

const api = (method: 'GET' | 'PATCH', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url,
    headers: auth(t.adminToken),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

beforeAll(async () => {
  t = await testApp(); // 2026-03-02T10:00Z, a Monday
  const ctx = t.ctx();
  await savePlan({ ctx, input: { source: PLAN } });
  // ann lives in New York (UTC−5 until 8 March), bo in Tokyo (UTC+9).
  for (const [handle, zone] of [
    ['ann', 'America/New_York'],
    ['bo', 'Asia/Tokyo'],
  ] as const) {
    await saveUser({
      ctx,
      input: {
        user: {
          handle,
          name: handle.toUpperCase(),
          email: null,
          role: 'responder',
          leadership: false,
          time_zone: zone,
        },
        mode: 'create',
      },
    });
  }
  await addUser(ctx, 'cy'); // on no schedule, never paged: not in the load report
  // primary: a day each from 09:00 UTC, ann from 1 March; backup: ann all the time.
  await saveSchedule({
    ctx,
    input: {
      schedule: {
        name: 'primary',
        time_zone: 'UTC',
        layers: [{ type: 'daily', handoff: '09:00', start: '2026-03-01', participants: ['ann', 'bo'] }],
      },
      mode: 'create',
    },
  });
  await saveSchedule({
    ctx,
    input: {
      schedule: {
        name: 'backup',
        time_zone: 'UTC',
        layers: [{ type: 'daily', handoff: '09:00', start: '2026-03-01', participants: ['ann'] }],
      },
      mode: 'create',
    },
  });

  // Incidents: week of 2 March: a P0 (resolved: post-mortem) and a P1; week of 9 March: none;
  // week of 16 March: two P0s (resolved: post-mortems).
  await declare('first', '2026-03-02T11:00:00Z', 'P0', '2026-03-02T12:00:00Z');
  //                              New York            Tokyo
  await page('2026-03-03T04:00:00Z', 'ann'); // 23:00 night
  await page('2026-03-03T15:00:00Z', 'ann'); // 10:00
  await page('2026-03-03T15:00:00Z', 'bo'); //                      00:00 night
  await page('2026-03-04T03:00:00Z', 'bo'); //                      12:00
  await declare('second', '2026-03-04T10:00:00Z', 'P1');
  await page('2026-03-04T12:00:00Z', 'ann'); // 07:00 (night ends)
  await page('2026-03-04T12:59:00Z', 'bo'); //                      21:59
  await page('2026-03-04T13:00:00Z', 'bo'); //                      22:00 night
  await declare('third', '2026-03-17T10:00:00Z', 'P0', '2026-03-17T11:00:00Z');
  await declare('fourth', '2026-03-18T10:00:00Z', 'P0', '2026-03-18T11:00:00Z');
  t.clock.set('2026-03-20T10:00:00Z');
});
afterAll(() => t.close());

const FROM = '2026-03-02T10:00:00Z';
const TO = '2026-03-20T10:00:00Z';
const period = (from = FROM, to = TO) => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;

describe('incident frequency', () => {
  it('counts incidents per week and severity, empty weeks as 0', async () => {
    const res = await api('GET', `/api/v1/reports/frequency?${period()}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      bucket: 'week',
      buckets: [
        {
          start: '2026-03-02T00:00:00.000Z',
          end: '2026-03-09T00:00:00.000Z',
          incidents: 2,
          by_severity: { P0: 1, P1: 1 },
        },
        { start: '2026-03-09T00:00:00.000Z', end: '2026-03-16T00:00:00.000Z', incidents: 0, by_severity: {} },
        {
          start: '2026-03-16T00:00:00.000Z',
          end: '2026-03-23T00:00:00.000Z',
          incidents: 2,
          by_severity: { P0: 2 },
        },
      ],
    });
    const month = (await api('GET', `/api/v1/reports/frequency?${period()}&bucket=month`)).json();
    expect(month.buckets).toEqual([
      {
        start: '2026-03-01T00:00:00.000Z',
        end: '2026-04-01T00:00:00.000Z',
        incidents: 4,
        by_severity: { P0: 3, P1: 1 },
      },
    ]);
    const csv = await api('GET', `/api/v1/reports/frequency?${period()}&format=csv`);
    expect(csv.body.split('\r\n')).toEqual([
      'bucket_start,bucket_end,incidents,P0,P1',
      '2026-03-02T00:00:00.000Z,2026-03-09T00:00:00.000Z,2,1,1',
      '2026-03-09T00:00:00.000Z,2026-03-16T00:00:00.000Z,0,0,0',
      '2026-03-16T00:00:00.000Z,2026-03-23T00:00:00.000Z,2,2,0',
      '',
    ]);
    const bad = await api('GET', `/api/v1/reports/frequency?${period()}&bucket=day`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('querystring.bucket');
  });
});

describe('root-cause categories', () => {
  it('are set on the post-mortem from the plan list, and counted per category', async () => {
    const set = (key: string, category: string | null) =>
      api('PATCH', `/api/v1/postmortems/${incidents[key]}`, { root_cause_category: category });
    expect((await set('first', 'deployment')).json().postmortem.root_cause_category).toBe('deployment');
    expect((await set('third', 'capacity')).statusCode).toBe(200);
    expect((await set('third', 'deployment')).statusCode).toBe(200); // changed its mind
    const bogus = await set('fourth', 'cosmic rays');
    expect(bogus.statusCode).toBe(400);
    expect(bogus.json().error.details[0]).toMatchObject({ path: 'root_cause_category' });
    expect(bogus.json().error.details[0].message).toContain('deployment, capacity, dependency');

    const res = (await api('GET', `/api/v1/reports/root-causes?${period()}`)).json();
    // first + third: deployment; fourth: a post-mortem without a category; second (P1): none.
    expect(res).toMatchObject({
      categories: [
        { category: 'deployment', incidents: 2 },
        { category: 'capacity', incidents: 0 },
        { category: 'dependency', incidents: 0 },
      ],
      uncategorised: 1,
      without_postmortem: 1,
    });
    const csv = (await api('GET', `/api/v1/reports/root-causes?${period()}&format=csv`)).body;
    expect(csv).toBe(
      'category,incidents\r\ndeployment,2\r\ncapacity,0\r\ndependency,0\r\n(uncategorised),1\r\n(no post-mortem),1\r\n',
    );
    // Cleared again: the first incident is uncategorised.
    expect((await set('first', null)).json().postmortem.root_cause_category).toBeNull();
    const after = (await api('GET', `/api/v1/reports/root-causes?${period()}`)).json();
    expect(after.categories[0]).toEqual({ category: 'deployment', incidents: 1 });
    expect(after.uncategorised).toBe(2);
    await set('first', 'deployment');
  });

  it('a plan listing a category twice is refused at file:line:col', () => {
    const dup = PLAN.replace('[deployment, capacity, dependency]', '[deployment, capacity, deployment]');
    const { errors } = loadPlan(dup, 'plan.yaml');
    expect(errors).toEqual([
      expect.objectContaining({
        line: 11,
        col: 47,
        message: 'postmortem.rootCauseCategories.2: duplicate root-cause category "deployment"',
      }),
    ]);
  });
});

describe('on-call load', () => {
  it('counts pages, night pages in each person’s own time zone, and hours on call', async () => {
    const week = period(FROM, '2026-03-09T10:00:00Z');
    const res = await api('GET', `/api/v1/reports/oncall-load?${week}`);
    expect(res.statusCode).toBe(200);
    // Hours: primary gives bo 2 Mar 10:00–3 Mar 09:00 (23h) then 4–5, 6–7, 8–9 March (3 × 24h) = 95h;
    // ann is on backup the whole 168h, which covers her primary days (counted once).
    expect(res.json()).toMatchObject({
      night: { from: '22:00', to: '07:00' },
      rows: [
        { user: 'bo', name: 'BO', time_zone: 'Asia/Tokyo', pages: 4, night_pages: 2, hours_on_call: 95 },
        {
          user: 'ann',
          name: 'ANN',
          time_zone: 'America/New_York',
          pages: 3,
          night_pages: 1,
          hours_on_call: 168,
        },
      ],
    });
    const csv = (await api('GET', `/api/v1/reports/oncall-load?${week}&format=csv`)).body;
    expect(csv).toBe(
      'user,name,time_zone,pages,night_pages,hours_on_call\r\nbo,BO,Asia/Tokyo,4,2,95\r\nann,ANN,America/New_York,3,1,168\r\n',
    );
    // Without the backup schedule's hours and before the pages: only on-call time counts.
    const day = (
      await api('GET', `/api/v1/reports/oncall-load?${period(FROM, '2026-03-03T00:00:00Z')}`)
    ).json();
    expect(day.rows).toEqual([
      expect.objectContaining({ user: 'ann', pages: 0, hours_on_call: 14 }),
      expect.objectContaining({ user: 'bo', pages: 0, hours_on_call: 14 }),
    ]);
  });
});

describe('the CLI', () => {
  it('prints the trends, root causes and load as tables, JSON and the CSV the API answers', async () => {
    const tocsin = await cliAgainst(t);
    const freq = await tocsin('report', 'frequency', '--from', FROM, '--to', TO);
    expect(freq.stderr).toBe('');
    expect(freq.stdout).toMatch(/2026-03-09\s+0\s+0\s+0/);
    const month = await tocsin(
      'report',
      'frequency',
      '--from',
      FROM,
      '--to',
      TO,
      '--bucket',
      'month',
      '--json',
    );
    expect(JSON.parse(month.stdout).buckets[0]).toMatchObject({ incidents: 4 });
    const causes = await tocsin('report', 'root-causes', '--from', FROM, '--to', TO);
    expect(causes.stdout).toMatch(/deployment\s+2/);
    const load = await tocsin(
      'report',
      'oncall-load',
      '--from',
      FROM,
      '--to',
      '2026-03-09T10:00:00Z',
      '--csv',
    );
    expect(load.stdout).toBe(
      (await api('GET', `/api/v1/reports/oncall-load?${period(FROM, '2026-03-09T10:00:00Z')}&format=csv`))
        .body,
    );
    const csv = await tocsin('report', 'frequency', '--from', FROM, '--to', TO, '--csv');
    expect(csv.stdout).toBe((await api('GET', `/api/v1/reports/frequency?${period()}&format=csv`)).body);
  });
});
