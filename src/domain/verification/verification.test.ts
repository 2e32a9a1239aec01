import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { Engine } from '../../engine/engine.ts';
import { workflowEventsModule } from '../../engine/workflow-events.ts';
import { Conflict } from '../../errors.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { listIncidentEvents } from '../incidents/list-incident-events.ts';
import * as incidents from '../incidents/queries.ts';
import { resolveIncident } from '../incidents/resolve-incident.ts';
import { transitionIncident } from '../incidents/transition-incident.ts';
import { loadPlan } from '../plans/plan.ts';
import { savePlan } from '../plans/save-plan.ts';
import { PlanCache } from '../workflows/plan-cache.ts';
import { valuesOf } from './prometheus.ts';
import * as q from './queries.ts';
import { recordVerification } from './record-verification.ts';
import {
  automaticChecks,
  judgeValues,
  manualCheckTitles,
  type VerificationResult,
  verdictOf,
} from './verification.ts';

// Issue 15 item 1: an incident in the plan's verification state is watched in Prometheus; every
// metric check must hold for the whole window before it resolves, and a breach sends it back and
// tells the commander. The queries themselves run against a real Prometheus in
// test/system/verification.test.ts; here each run's results are recorded as the engine records them.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: jobs }
severities:
  - { id: P0, title: Critical }
roles: [{ id: incident-commander, title: Incident Commander }]
lifecycle:
  states: [{ id: investigating }, { id: identified }, { id: monitoring }, { id: resolved }]
verification:
  state: monitoring
  monitorFor: 30m
  every: 1m
  checks:
    - { title: Health checks passing }
    - { title: Error rate back to baseline, metric: error_rate, below: 0.1, unit: "%" }
    - { title: Latency normal (P95), query: "histogram_quantile(0.95, rate(http_seconds_bucket[5m]))", below: 0.5 }
`;

const MIN = 60_000;
let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
const ctx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);

beforeAll(async () => {
  t = await freshDb();
  await savePlan({ ctx: ctx(), input: { source: PLAN } });
});
afterAll(() => t.close());
afterEach(() => {
  delete process.env.TOCSIN_PROMETHEUS_URL;
});

async function declared(): Promise<string> {
  const incident = await declareIncident({ ctx: ctx(), input: { title: 'API errors', severity: 'P0' } });
  await transitionIncident({ ctx: ctx(), input: { incidentId: incident.id, to: 'identified' } });
  return incident.id;
}

/** What the engine does for one due run: claim it (its own transaction), then record these results. */
async function run(values: (number | null)[]): Promise<number> {
  const claimed = await t.db.transaction().execute((tx) => q.claimDue(tx, clock.now(), 10));
  for (const row of claimed) {
    const results: VerificationResult[] = row.checks.map((check, i) => {
      const v = values[i];
      return v === null || v === undefined ? judgeValues(check, []) : judgeValues(check, [v]);
    });
    await recordVerification({ db: t.db, clock }, { row, ranAt: clock.now() }, results);
  }
  return claimed.length;
}

async function kinds(incidentId: string): Promise<string[]> {
  const events = await listIncidentEvents({ ctx: ctx(), input: { incidentId } });
  return events.map((e: { kind: string }) => e.kind);
}

async function state(incidentId: string): Promise<string> {
  const row = await incidents.findIncident(t.db, incidentId);
  return row?.state ?? '';
}

describe('with Prometheus configured', () => {
  it('refuses to resolve until every metric check held for monitorFor, then passes', async () => {
    process.env.TOCSIN_PROMETHEUS_URL = 'http://prometheus.test:9090';
    const id = await declared();
    await transitionIncident({ ctx: ctx(), input: { incidentId: id, to: 'monitoring' } });
    const [watching] = await q.listForIncident(t.db, id);
    expect(watching).toMatchObject({
      status: 'watching',
      return_state: 'identified',
      window_ms: String(30 * MIN),
    });
    expect(watching?.checks.map((c) => c.query)).toEqual([
      'error_rate',
      'histogram_quantile(0.95, rate(http_seconds_bucket[5m]))',
    ]);
    // The check Prometheus cannot judge is ticked by hand.
    const checklist = await incidents.listChecklistItems(t.db, id);
    expect(checklist.filter((c) => c.checklist === 'verification').map((c) => c.text)).toEqual([
      'Health checks passing',
    ]);

    expect(await run([0.05, 0.2])).toBe(1);
    await expect(resolveIncident({ ctx: ctx(), input: { incidentId: id } })).rejects.toThrow(Conflict);
    // A run that could not judge (no data) neither breaches nor passes.
    clock.advance(30 * MIN);
    expect(await run([null, 0.2])).toBe(1);
    expect((await q.listForIncident(t.db, id))[0]?.status).toBe('watching');
    await expect(resolveIncident({ ctx: ctx(), input: { incidentId: id } })).rejects.toThrow(
      /must hold for 30m in monitoring/,
    );
    // Not due again before `every`.
    expect(await run([0.05, 0.2])).toBe(0);
    clock.advance(MIN);
    expect(await run([0.05, 0.2])).toBe(1);
    expect((await q.listForIncident(t.db, id))[0]).toMatchObject({ status: 'passed' });
    expect(await kinds(id)).toEqual(expect.arrayContaining(['verification.started', 'verification.passed']));
    const resolved = await resolveIncident({ ctx: ctx(), input: { incidentId: id } });
    expect(resolved.state).toBe('resolved');
  });

  it('a breach returns the incident to where it came from and the commander is told', async () => {
    process.env.TOCSIN_PROMETHEUS_URL = 'http://prometheus.test:9090';
    const id = await declared();
    await transitionIncident({ ctx: ctx(), input: { incidentId: id, to: 'monitoring' } });
    clock.advance(5 * MIN);
    await run([0.05, 0.2]);
    clock.advance(MIN);
    await run([0.4, 0.2]);
    expect(await state(id)).toBe('identified');
    const [failed] = await q.listForIncident(t.db, id);
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed?.reason).toBe('Error rate back to baseline = 0.4 % (must be below 0.1 %)');
    const events = await listIncidentEvents({ ctx: ctx(), input: { incidentId: id } });
    const failure = events.find((e: { kind: string }) => e.kind === 'verification.failed');
    expect(failure?.data).toMatchObject({ returned_to: 'identified' });
    // The plan's compiled rule reacts to the event: a reminder to the commander.
    const workflows = workflowEventsModule(new PlanCache());
    await new Engine({ db: t.db, clock }, [workflows]).tickModule(workflows);
    const after = await listIncidentEvents({ ctx: ctx(), input: { incidentId: id } });
    const fired = after.filter((e: { kind: string }) => e.kind === 'workflow.fired');
    expect(fired.map((e: { data: unknown }) => (e.data as { workflow?: string }).workflow)).toContain(
      'plan: verification failed',
    );
    // Back in monitoring, a new verification starts over; the old one stays on the record.
    await transitionIncident({ ctx: ctx(), input: { incidentId: id, to: 'monitoring' } });
    expect((await q.listForIncident(t.db, id)).map((v) => v.status)).toEqual(['watching', 'failed']);
    // Leaving the state by hand stops watching.
    await transitionIncident({ ctx: ctx(), input: { incidentId: id, to: 'identified' } });
    expect((await q.listForIncident(t.db, id))[0]?.status).toBe('cancelled');
    expect(await run([0.4, 0.2])).toBe(0);
  });
});

describe('without Prometheus', () => {
  it('every check is a checklist item and nothing blocks resolution', async () => {
    const id = await declared();
    await transitionIncident({ ctx: ctx(), input: { incidentId: id, to: 'monitoring' } });
    expect(await q.listForIncident(t.db, id)).toEqual([]);
    const checklist = await incidents.listChecklistItems(t.db, id);
    expect(checklist.filter((c) => c.checklist === 'verification')).toHaveLength(3);
    expect((await resolveIncident({ ctx: ctx(), input: { incidentId: id } })).state).toBe('resolved');
  });

  it('a drill never queries Prometheus, even when one is configured', async () => {
    process.env.TOCSIN_PROMETHEUS_URL = 'http://prometheus.test:9090';
    const drill = makeCtx({ db: t.db, clock, live: false }, SYSTEM_ACTOR);
    const id = await declared();
    await transitionIncident({ ctx: drill, input: { incidentId: id, to: 'monitoring' } });
    expect(await q.listForIncident(t.db, id)).toEqual([]);
    expect((await resolveIncident({ ctx: drill, input: { incidentId: id } })).state).toBe('resolved');
  });
});

/** Every error of a plan, as `tocsin plan validate` shows them (file:line:col message). */
function errorsOf(text: string): string {
  return loadPlan(text, 'jobs.yaml')
    .errors.map((e) => `${e.file}:${e.line}:${e.col} ${e.message}`)
    .join('\n');
}

describe('rules', () => {
  const loaded = loadPlan(PLAN, 'jobs.yaml');
  if (!loaded.plan) throw new Error(JSON.stringify(loaded.errors));
  const plan = loaded.plan;
  it('a check with a metric or query and a threshold is queried; the rest are ticked', () => {
    expect(automaticChecks(plan).map((c) => c.title)).toEqual([
      'Error rate back to baseline',
      'Latency normal (P95)',
    ]);
    expect(manualCheckTitles(plan, true)).toEqual(['Health checks passing']);
    expect(manualCheckTitles(plan, false)).toHaveLength(3);
  });

  it('judges every series and the window', () => {
    const [check] = automaticChecks(plan);
    if (!check) throw new Error('no check');
    expect(judgeValues(check, [0.01, 0.09]).ok).toBe(true);
    expect(judgeValues(check, [0.01, 0.1])).toMatchObject({ ok: false, value: 0.1 });
    expect(judgeValues(check, [Number.NaN]).ok).toBe(false);
    expect(judgeValues(check, []).ok).toBeNull();
    const startedAt = new Date('2026-03-02T10:00:00Z');
    const held = [{ title: 'a', query: 'a', value: 1, ok: true }];
    const w = { startedAt, windowMs: 30 * MIN };
    expect(verdictOf(held, { ...w, ranAt: new Date(startedAt.getTime() + 29 * MIN) }).kind).toBe('holding');
    expect(verdictOf(held, { ...w, ranAt: new Date(startedAt.getTime() + 30 * MIN) }).kind).toBe('passed');
  });

  it('reads the Prometheus query API answers', () => {
    const vector = {
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [1, '0.5'] }] },
    };
    expect(valuesOf(vector)).toEqual([0.5]);
    expect(valuesOf({ status: 'success', data: { resultType: 'scalar', result: [1, '2'] } })).toEqual([2]);
    expect(valuesOf({ status: 'error', errorType: 'bad_data', error: 'parse error at char 3' })).toEqual({
      error: 'Prometheus: parse error at char 3',
    });
    expect(valuesOf({ status: 'success', data: { resultType: 'matrix', result: [] } })).toMatchObject({
      error: expect.stringContaining('matrix'),
    });
    expect(valuesOf('<html>')).toEqual({ error: 'not a Prometheus query answer' });
  });

  it('refuses bad verification fields with their line and column', () => {
    expect(errorsOf(PLAN)).toBe('');
    const bad = (yaml: string) => errorsOf(PLAN.replace('  every: 1m\n', yaml));
    expect(bad('  every: 1m\n  onBreach: nowhere\n')).toMatch(
      /^jobs\.yaml:\d+:\d+ .*undefined state "nowhere"/,
    );
    expect(bad('  every: 1m\n  onBreach: monitoring\n')).toMatch(
      /^jobs\.yaml:\d+:\d+ .*must be another state/,
    );
    expect(bad('  every: often\n')).toMatch(/^jobs\.yaml:13:\d+ .*not a duration/);
    expect(errorsOf(PLAN.replace('below: 0.5 }', '}'))).toMatch(
      /^jobs\.yaml:\d+:\d+ .*a query needs a threshold/,
    );
    expect(errorsOf(PLAN.replace('{ title: Health checks passing }', '{ title: Health, below: 1 }'))).toMatch(
      /^jobs\.yaml:\d+:\d+ .*a threshold needs a metric or a query/,
    );
  });
});
