import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { drillEngine } from '../../engine/drill-engine.ts';
import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import { type Ctx, makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { acknowledgeIncident } from '../incidents/acknowledge-incident.ts';
import { addNote } from '../incidents/add-note.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { resolveIncident } from '../incidents/resolve-incident.ts';
import { savePlan } from '../plans/save-plan.ts';
import { createIntegration } from '../services/create-integration.ts';
import { saveService } from '../services/save-service.ts';
import type { ServiceInput } from '../services/services.ts';
import { saveTeam } from '../users/save-team.ts';
import { formatReplayReport } from './replay.ts';
import { replayPlan } from './replay-plan.ts';

// What-if replay: a history made through the real operations and engine under plan A (ana
// acknowledges after 10 minutes), replayed under plan B (a 5-minute acknowledge target, the lead
// paged after 3 minutes): the breach and the extra page appear, the live store stays as it was.

const plan = (ack: string, escalateAfter: string) => `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: checkout }
languages: [en]
severities:
  - id: SEV1
    title: Critical
    page: { policy: primary }
    targets: { acknowledge: ${ack}, resolve: 4h }
  - id: SEV2
    title: Major
    page: { to: on-call }
    targets: { acknowledge: 30m }
groups:
  - { id: on-call, title: On call, users: [ana] }
  - { id: leads, title: Leads, users: [lee] }
escalationPolicies:
  - id: primary
    steps:
      - { notify: [on-call], escalateAfter: ${escalateAfter} }
      - { notify: [leads] }
roles: [{ id: incident-commander, title: Incident Commander }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
`;
const PLAN_A = plan('15m', '30m');
const PLAN_B = plan('5m', '3m');

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
const MIN = 60_000;

async function at(minutes: number, from: Date) {
  clock.set(new Date(from.getTime() + minutes * MIN));
  await drillEngine({ db: t.db, clock }).runUntilIdle();
}

/** One incident as it happened: declared, acknowledged by ana after `ackAfter` minutes, resolved. */
async function history(ana: Ctx, title: string, severity: string, ackAfter: number) {
  const start = clock.now();
  const incident = await declareIncident({ ctx: ana, input: { title, plan: 'checkout', severity } });
  await at(0, start);
  await at(ackAfter, start);
  await acknowledgeIncident({ ctx: ana, input: { incidentId: incident.id } });
  await addNote({ ctx: ana, input: { incidentId: incident.id, text: 'rolled back' } });
  await at(40, start);
  await resolveIncident({ ctx: ana, input: { incidentId: incident.id, resolution: 'rolled back' } });
  await at(41, start);
  return incident.id;
}

let first: string;
let second: string;

beforeAll(async () => {
  t = await freshDb();
  const system = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
  await addUser(system, 'lee', { email: 'lee@example.com' });
  await savePlan({ ctx: system, input: { source: PLAN_A } });
  const anaId = await addUser(system, 'ana', { email: 'ana@example.com' });
  const ana = makeCtx(
    { db: t.db, clock },
    { kind: 'user', userId: anaId, name: 'ana', role: 'responder', leadership: false },
  );
  first = await history(ana, 'Checkout fails', 'SEV1', 10);
  clock.set(new Date('2026-03-05T09:00:00Z'));
  second = await history(ana, 'Search is slow', 'SEV2', 2);
  clock.set(new Date('2026-03-10T12:00:00Z'));
}, 120_000);
afterAll(() => t.close());

describe('tocsin plan replay', { timeout: 180_000 }, () => {
  it('reports who would have been paged, the breaches and the metrics under the changed plan', async () => {
    const ctx = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
    const before = await t.db.selectFrom('outbox').select('id').execute();
    const report = await replayPlan({
      ctx,
      input: {
        source: PLAN_B,
        file: 'b.yaml',
        since: '90d',
        limit: 25,
        serverUrl: t.url,
        engine: drillEngine,
      },
    });
    expect(report).toMatchObject({ plan: 'checkout', source: 'b.yaml', total: 2, next: null });
    const [one, two] = report.incidents;
    expect(one).toMatchObject({
      incident_id: first,
      severity: 'SEV1',
      origin: 'declared',
      actual: {
        plan_version: 1,
        declared_severity: 'SEV1',
        paged: [{ to: 'ana', at_offset: '+0s' }],
        breached: [],
        metrics: { mtta: 10 * MIN, mttr: 40 * MIN },
        state: 'resolved',
      },
      replay: {
        plan_version: null,
        declared_severity: 'SEV1',
        paged: [
          { to: 'ana', at_offset: '+0s' },
          { to: 'lee', at_offset: '+3m' },
        ],
        breached: ['acknowledge'],
        metrics: { mtta: 10 * MIN, mttr: 40 * MIN },
        state: 'resolved',
        refused: [],
      },
    });
    expect(one?.targets).toEqual([
      { target: 'acknowledge', actual: 'met', replay: 'breached' },
      { target: 'resolve', actual: 'met', replay: 'met' },
    ]);
    // The SEV2 incident pages on-call directly under both plans and meets its target under both.
    expect(two).toMatchObject({
      incident_id: second,
      actual: { paged: [{ to: 'ana', at_offset: '+0s' }], breached: [] },
      replay: { paged: [{ to: 'ana', at_offset: '+0s' }], breached: [] },
    });
    expect(report.totals).toEqual({
      incidents: 2,
      breaches: [
        { target: 'acknowledge', actual: 0, replay: 1 },
        { target: 'resolve', actual: 0, replay: 0 },
      ],
      pages: [
        { to: 'ana', actual: 2, replay: 2 },
        { to: 'lee', actual: 0, replay: 1 },
      ],
      metrics: [
        { metric: 'mttd', actual: 0, replay: 0 },
        { metric: 'mtta', actual: 6 * MIN, replay: 6 * MIN },
        { metric: 'mttr', actual: 40 * MIN, replay: 40 * MIN },
      ],
    });
    const text = formatReplayReport(report);
    expect(text).toBe(
      [
        'Replay of plan checkout under b.yaml: 2 incident(s) declared 2025-12-10T12:00:00.000Z → 2026-03-10T12:00:00.000Z',
        '',
        `#${first} Checkout fails (SEV1, declared 2026-03-02T10:00:00.000Z)`,
        '  declared by hand: replayed as declared',
        '          then (version 1)  replayed',
        '--------  ----------------  ----------------',
        'paged     ana +0s           ana +0s, lee +3m',
        'breached  none              acknowledge',
        'mttd      0s                0s',
        'mtta      10m               10m',
        'mttr      40m               40m',
        'state     resolved          resolved',
        '',
        `#${second} Search is slow (SEV2, declared 2026-03-05T09:00:00.000Z)`,
        '  declared by hand: replayed as declared',
        '          then (version 1)  replayed',
        '--------  ----------------  --------',
        'paged     ana +0s           ana +0s',
        'breached  none              none',
        'mttd      0s                0s',
        'mtta      2m                2m',
        'mttr      40m               40m',
        'state     resolved          resolved',
        '',
        'Totals over 2 incident(s):',
        '                      then  replayed',
        '--------------------  ----  --------',
        'acknowledge breached  0     1',
        'resolve breached      0     0',
        'pages to ana          2     2',
        'pages to lee          0     1',
        'mttd mean             0s    0s',
        'mtta mean             6m    6m',
        'mttr mean             40m   40m',
      ].join('\n'),
    );
    // Nothing was written to the live store.
    expect(await t.db.selectFrom('outbox').select('id').execute()).toEqual(before);
    expect((await t.db.selectFrom('incidents').select('id').execute()).length).toBe(2);
    // The throwaway store is gone.
    const left = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_database where datname like 'replay\\_%'`.execute(t.db);
    expect(left.rows[0]?.n).toBe(0);
  });

  it('answers in pages (limit, after → next) and refuses a bad plan, an unknown one and responders', async () => {
    const ctx = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
    const input = { source: PLAN_B, since: '90d', limit: 1, serverUrl: t.url, engine: drillEngine };
    const page1 = await replayPlan({ ctx, input });
    expect([page1.total, page1.incidents.map((i) => i.incident_id), page1.next]).toEqual([2, [first], first]);
    const page2 = await replayPlan({ ctx, input: { ...input, after: page1.next ?? undefined } });
    expect([page2.incidents.map((i) => i.incident_id), page2.next]).toEqual([[second], null]);
    // Only incidents declared within `since`: a day back holds none, and no store is started.
    const none = await replayPlan({ ctx, input: { ...input, since: '1d', serverUrl: undefined } });
    expect([none.total, none.incidents]).toEqual([0, []]);
    await expect(
      replayPlan({
        ctx,
        input: { ...input, source: PLAN_B.replace('acknowledge: 5m', 'acknowledge: soon') },
      }),
    ).rejects.toMatchObject({ details: [{ path: expect.stringMatching(/^plan\.yaml:\d+:\d+$/) }] });
    await expect(
      replayPlan({ ctx, input: { ...input, source: PLAN_B.replace('name: checkout', 'name: other') } }),
    ).rejects.toMatchObject({ name: 'NotFound' });
    const responder = makeCtx(
      { db: t.db, clock },
      { kind: 'user', userId: '1', name: 'ana', role: 'responder', leadership: false },
    );
    await expect(replayPlan({ ctx: responder, input })).rejects.toMatchObject({ name: 'Forbidden' });
  });
});

// An incident that began from an alert: the alert goes again through the real ingest and the alert
// rules of the service (copied with its owning team), so the changed plan decides its severity.
const alertPlan = (severities: string) => `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: payments }
languages: [en]
severities:
${severities}
  - id: SEV1
    title: Critical
    page: { to: leads }
    targets: { acknowledge: 5m }
  - id: SEV2
    title: Major
    page: { to: owners }
    targets: { acknowledge: 15m }
  - { id: SEV3, title: Minor }
groups:
  - { id: owners, title: Service owner, serviceOwner: true }
  - { id: leads, title: Leads, users: [lee] }
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
`;
// An alert of severity error is the plan's second severity by default: SEV2 under A, SEV1 under B.
const ALERT_A = alertPlan('');
const ALERT_B = alertPlan('  - { id: SEV0, title: Outage }');

describe('tocsin plan replay of an incident that began from alerts', { timeout: 180_000 }, () => {
  let a: TestDb;
  let alertBorn: string;
  let alertBorn2: string;
  const aclock = new VirtualClock('2026-04-01T08:00:00Z');
  const system = () => makeCtx({ db: a.db, clock: aclock }, SYSTEM_ACTOR);
  const service = (rules: ServiceInput['rules']) =>
    saveService({
      ctx: system(),
      input: { service: { name: 'payments-api', team: 'payments', plan: 'payments', rules }, mode: 'upsert' },
    });
  const tick = async (minutes: number, from: Date) => {
    aclock.set(new Date(from.getTime() + minutes * MIN));
    await drillEngine({ db: a.db, clock: aclock }, { alerts: true }).runUntilIdle();
  };
  const replay = (source: string) =>
    replayPlan({
      ctx: system(),
      input: { source, file: 'p.yaml', since: '30d', limit: 25, serverUrl: a.url, engine: drillEngine },
    });

  beforeAll(async () => {
    a = await freshDb();
    await addUser(system(), 'lee', { email: 'lee@example.com' });
    const oluId = await addUser(system(), 'olu', { email: 'olu@example.com' });
    await saveTeam({
      ctx: system(),
      input: {
        team: { name: 'payments', description: '', members: [{ user: 'olu', role: 'member' }] },
        mode: 'create',
      },
    });
    await savePlan({ ctx: system(), input: { source: ALERT_A } });
    await service({ declare: 'error' });
    const integration = await createIntegration({
      ctx: system(),
      input: { service: 'payments-api', type: 'pagerduty', name: 'prometheus' },
    });
    const olu = makeCtx(
      { db: a.db, clock: aclock },
      { kind: 'user', userId: oluId, name: 'olu', role: 'responder', leadership: false },
    );
    // History: the alert fires, the rules declare SEV2 and page the service's owner (olu), who
    // acknowledges after 10 minutes; the alert resolves at 20 minutes, olu resolves at 30.
    const happened = async (key: string) => {
      const start = aclock.now();
      const send = (action: 'trigger' | 'resolve') =>
        ingestAlertEvents({
          ctx: system(),
          input: {
            integration,
            events: [
              {
                action,
                dedupKey: key,
                summary: 'Payments API 5xx above 5%',
                severity: 'error',
                labels: { alertname: 'Payments5xx' },
                raw: {},
              },
            ],
          },
        });
      await send('trigger');
      await tick(0, start);
      const incident = await a.db
        .selectFrom('incidents')
        .selectAll()
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      await tick(10, start);
      await acknowledgeIncident({ ctx: olu, input: { incidentId: incident.id } });
      await tick(20, start);
      await send('resolve');
      await tick(30, start);
      await resolveIncident({ ctx: olu, input: { incidentId: incident.id, resolution: 'rolled back' } });
      await tick(31, start);
      return incident.id;
    };
    alertBorn = await happened('payments-5xx');
    // A second one the next day, on the same service: the replay runs both in one store.
    aclock.set(new Date('2026-04-02T08:00:00Z'));
    alertBorn2 = await happened('payments-latency');
    aclock.set(new Date('2026-04-03T12:00:00Z'));
  }, 120_000);
  afterAll(() => a?.close());

  it('raises its alert through ingest and the rules: the same plan declares it alike and pages the service owner', async () => {
    const report = await replay(ALERT_A);
    const [one] = report.incidents;
    expect(one).toMatchObject({
      incident_id: alertBorn,
      severity: 'SEV2',
      origin: 'alerts',
      actual: { declared_severity: 'SEV2', paged: [{ to: 'olu', at_offset: '+0s' }], breached: [] },
      replay: {
        declared_severity: 'SEV2',
        paged: [{ to: 'olu', at_offset: '+0s' }],
        breached: [],
        metrics: { mtta: 10 * MIN, mttr: 30 * MIN },
        state: 'resolved',
        refused: [],
      },
    });
    expect(report.incidents[1]).toMatchObject({
      incident_id: alertBorn2,
      origin: 'alerts',
      actual: { declared_severity: 'SEV2' },
      replay: { declared_severity: 'SEV2', paged: [{ to: 'olu', at_offset: '+0s' }], refused: [] },
    });
    expect(formatReplayReport(report).split('\n')[3]).toBe(
      '  began from alerts: declared at SEV2, the same under the changed plan',
    );
  });

  it('under a plan whose severities map the alert higher, reports the other severity and its pages', async () => {
    const report = await replay(ALERT_B);
    const [one] = report.incidents;
    expect(one).toMatchObject({
      origin: 'alerts',
      actual: { declared_severity: 'SEV2', paged: [{ to: 'olu', at_offset: '+0s' }] },
      replay: {
        declared_severity: 'SEV1',
        paged: [{ to: 'lee', at_offset: '+0s' }],
        breached: ['acknowledge'],
      },
    });
    expect(one?.targets).toEqual([{ target: 'acknowledge', actual: 'met', replay: 'breached' }]);
    expect(formatReplayReport(report).split('\n')[3]).toBe(
      '  began from alerts: declared at SEV2, at SEV1 under the changed plan',
    );
  });

  it('says so when the alert would not have declared an incident at all', async () => {
    // The service now opens incidents only from critical alerts: the error alert is recorded only.
    await service({ declare: 'critical' });
    try {
      const report = await replay(ALERT_A);
      const [one] = report.incidents;
      expect(one).toMatchObject({
        origin: 'alerts',
        replay: { declared_severity: null, paged: [], breached: [], state: 'not declared', refused: [] },
      });
      expect(one?.targets).toEqual([{ target: 'acknowledge', actual: 'met', replay: null }]);
      expect(report.totals.pages).toEqual([{ to: 'olu', actual: 2, replay: 0 }]);
      expect(formatReplayReport(report).split('\n')[3]).toBe(
        '  began from alerts (declared at SEV2): the changed plan would not have declared it',
      );
    } finally {
      await service({ declare: 'error' });
    }
  });
});
