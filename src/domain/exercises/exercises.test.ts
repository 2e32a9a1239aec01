import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../../test/cli-harness.ts';
import { addUser, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { publicName } from '../incidents/confidential.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { savePlan } from '../plans/save-plan.ts';

// Issue 15 §8: exercises against a live plan. Their incidents page for real (inbox and messages
// marked [EXERCISE]), are recorded apart (exercise: true) and left out of reports unless asked.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: drillme }
severities:
  - { id: P1, title: High, page: { to: sre } }
groups:
  - { id: sre, title: SRE, users: [ann] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`;

let t: TestApp;
let tocsinCli: Awaited<ReturnType<typeof cliAgainst>> | undefined;
/** The CLI against the test app, started once (the app listens once). */
const cli = async () => {
  tocsinCli ??= await cliAgainst(t);
  return tocsinCli;
};
let engine: Engine;
const FROM = '2026-03-01T00:00:00Z';

const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url,
    headers: auth(t.adminToken),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

async function inboxTitles(): Promise<string[]> {
  const rows = await t.db
    .selectFrom('inbox_items')
    .innerJoin('users', 'users.id', 'inbox_items.user_id')
    .select('inbox_items.title')
    .where('users.handle', '=', 'ann')
    .where('inbox_items.escalation_id', 'is not', null)
    .orderBy('inbox_items.id')
    .execute();
  return rows.map((r) => r.title);
}

beforeAll(async () => {
  t = await testApp(); // 2026-03-02T10:00Z
  await savePlan({ ctx: t.ctx(), input: { source: PLAN } });
  await addUser(t.ctx(), 'ann');
  engine = new Engine(
    { db: t.db, clock: t.clock, log: pino({ level: 'silent' }) },
    engineModules({ deliver: false }),
  );
  // A real incident first: paged like any.
  await declareIncident({ ctx: t.ctx(), input: { title: 'Real outage', severity: 'P1' } });
  await engine.runUntilIdle();
});
afterAll(() => t.close());

describe('exercises', () => {
  it('an exercise due now declares an incident marked exercise whose pages say so', async () => {
    const res = await api('POST', '/api/v1/exercises', {
      plan: 'drillme',
      kind: 'game_day',
      title: 'Primary database fails over',
      severity: 'P1',
      scenario: 'Kill the primary at 10:00.',
    });
    expect(res.statusCode).toBe(201);
    const { exercise } = res.json();
    expect(exercise).toMatchObject({ kind: 'game_day', started_at: '2026-03-02T10:00:00.000Z' });
    expect(exercise.incident_id).not.toBeNull();
    await engine.runUntilIdle();
    const incident = (await api('GET', `/api/v1/incidents/${exercise.incident_id}`)).json();
    expect(JSON.stringify(incident)).toContain('"exercise":true');
    expect(JSON.stringify(incident)).toContain('[EXERCISE] Primary database fails over');
    // ann was paged twice: the real incident, then the exercise, which says it is one.
    const titles = await inboxTitles();
    expect(titles).toHaveLength(2);
    expect(titles[0]).not.toContain('[EXERCISE]');
    expect(titles[1]).toContain('[EXERCISE] Primary database fails over');
  });

  it('reports leave exercises out unless include_exercises=true', async () => {
    const to = '2026-03-03T00:00:00Z';
    const q = `from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(to)}`;
    const all = (r: { rows: { group_by: string; incidents: number }[] }) =>
      r.rows.find((x) => x.group_by === 'all')?.incidents;
    expect(all((await api('GET', `/api/v1/reports/metrics?${q}`)).json())).toBe(1);
    expect(all((await api('GET', `/api/v1/reports/metrics?${q}&include_exercises=true`)).json())).toBe(2);
    const load = (await api('GET', `/api/v1/reports/oncall-load?${q}`)).json();
    expect(load.rows).toEqual([expect.objectContaining({ user: 'ann', pages: 1 })]);
    const withEx = (await api('GET', `/api/v1/reports/oncall-load?${q}&include_exercises=true`)).json();
    expect(withEx.rows).toEqual([expect.objectContaining({ user: 'ann', pages: 2 })]);
    const freq = (await api('GET', `/api/v1/reports/frequency?${q}&bucket=month`)).json();
    expect(freq.buckets[0].incidents).toBe(1);
  });

  it('a later exercise starts when the clock reaches it; readiness counts days since the last', async () => {
    const tocsin = await cli();
    const out = await tocsin(
      'exercise',
      'schedule',
      '--plan',
      'drillme',
      '--kind',
      'tabletop',
      '--severity',
      'P1',
      '--title',
      'CDN outage',
      '--at',
      '2026-03-05T14:00:00Z',
    );
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/^exercise \d+ scheduled for 2026-03-05T14:00:00.000Z\n$/);
    t.clock.set('2026-03-05T13:59:00Z');
    await engine.runUntilIdle();
    const listed = JSON.parse((await tocsin('exercise', 'list', '--plan', 'drillme', '--json')).stdout);
    expect(listed.map((e: { incident_id: string | null }) => e.incident_id === null)).toEqual([true, false]);
    // Readiness on 5 March: the last exercise that ran was on 2 March at 10:00 — 3 whole days.
    const before = (await api('GET', '/api/v1/plans/drillme/readiness')).json();
    expect(before).toMatchObject({
      last_exercise_at: '2026-03-02T10:00:00.000Z',
      days_since_last_exercise: 3,
    });

    t.clock.set('2026-03-05T14:00:00Z');
    await engine.runUntilIdle();
    const after = JSON.parse((await tocsin('exercise', 'list', '--json')).stdout);
    expect(after[0]).toMatchObject({ kind: 'tabletop', started_at: '2026-03-05T14:00:00.000Z' });
    expect(after[0].incident_id).not.toBeNull();
    expect((await inboxTitles()).at(-1)).toContain('[EXERCISE] CDN outage');
    const now = (await api('GET', '/api/v1/plans/drillme/readiness')).json();
    expect(now).toMatchObject({ last_exercise_at: '2026-03-05T14:00:00.000Z', days_since_last_exercise: 0 });
    const table = await tocsin('exercise', 'list');
    expect(table.stdout).toMatch(/tabletop\s+P1/);
  });

  it('refuses an unknown severity, plan or kind, naming the field', async () => {
    const base = { plan: 'drillme', kind: 'tabletop', title: 'x', severity: 'P1' };
    const sev = await api('POST', '/api/v1/exercises', { ...base, severity: 'P9' });
    expect(sev.statusCode).toBe(400);
    expect(sev.json().error.details[0]).toMatchObject({ path: 'severity' });
    const plan = await api('POST', '/api/v1/exercises', { ...base, plan: 'nope' });
    expect(plan.statusCode).toBe(400);
    expect(plan.json().error.details[0]).toMatchObject({ path: 'plan' });
    const kind = await api('POST', '/api/v1/exercises', { ...base, kind: 'party' });
    expect(kind.statusCode).toBe(400);
    expect(kind.json().error.details[0].path).toContain('kind');
  });

  it('a scheduled exercise is cancelled by a manager, audited, and never starts; a started one is a 409', async () => {
    const tocsin = await cli();
    const scheduled = await api('POST', '/api/v1/exercises', {
      plan: 'drillme',
      kind: 'tabletop',
      title: 'Cancelled drill',
      severity: 'P1',
      scheduled_at: '2026-03-06T09:00:00Z',
    });
    const id: string = scheduled.json().exercise.id;
    const ritaToken = await t.tokenFor('responder');
    const denied = await t.app.inject({
      method: 'POST',
      url: `/api/v1/exercises/${id}/cancel`,
      headers: auth(ritaToken),
    });
    expect(denied.statusCode).toBe(403);
    const out = await tocsin('exercise', 'cancel', id);
    expect(out.stdout).toBe(`exercise ${id} cancelled\n`);
    const audited = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_name'])
      .where('entity_type', '=', 'exercise')
      .where('entity_id', '=', id)
      .orderBy('id')
      .execute();
    expect(audited.map((a) => a.action)).toEqual(['exercise.scheduled', 'exercise.cancelled']);
    t.clock.set('2026-03-06T09:00:00Z');
    await engine.runUntilIdle();
    const listed = (await api('GET', '/api/v1/exercises')).json().exercises;
    expect(listed.find((e: { id: string }) => e.id === id)).toMatchObject({
      incident_id: null,
      started_at: null,
      cancelled_at: '2026-03-05T14:00:00.000Z',
    });
    expect((await tocsin('exercise', 'list')).stdout).toMatch(/Cancelled drill\s+cancelled by /);
    // Cancelling again, or cancelling one that started, is a conflict; an unknown id is a 404.
    expect((await api('POST', `/api/v1/exercises/${id}/cancel`)).statusCode).toBe(409);
    const started = listed.find((e: { started_at: string | null }) => e.started_at !== null);
    const conflict = await api('POST', `/api/v1/exercises/${started.id}/cancel`);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.message).toContain('started');
    expect((await api('POST', '/api/v1/exercises/999999/cancel')).statusCode).toBe(404);
    expect((await api('POST', '/api/v1/exercises/abc/cancel')).statusCode).toBe(400);
  });

  it('one whose severity left the plan is marked failed with the reason; the engine goes on', async () => {
    const tocsin = await cli();
    const doomed = (
      await api('POST', '/api/v1/exercises', {
        plan: 'drillme',
        kind: 'game_day',
        title: 'Doomed drill',
        severity: 'P1',
        scheduled_at: '2026-03-07T09:00:00Z',
      })
    ).json().exercise;
    // The plan's next version renames its severity: P1 is gone by the exercise's time.
    await savePlan({ ctx: t.ctx(), input: { source: PLAN.replace('id: P1', 'id: SEV1') } });
    const fine = (
      await api('POST', '/api/v1/exercises', {
        plan: 'drillme',
        kind: 'tabletop',
        title: 'Fine drill',
        severity: 'SEV1',
        scheduled_at: '2026-03-07T09:00:00Z',
      })
    ).json().exercise;
    t.clock.set('2026-03-07T09:00:00Z');
    await engine.runUntilIdle();
    const listed = (await api('GET', '/api/v1/exercises')).json().exercises;
    expect(listed.find((e: { id: string }) => e.id === doomed.id)).toMatchObject({
      started_at: null,
      incident_id: null,
      failed_at: '2026-03-07T09:00:00.000Z',
      failure: expect.stringContaining('severity P1 is no longer in plan drillme'),
    });
    expect(listed.find((e: { id: string }) => e.id === fine.id).incident_id).not.toBeNull();
    expect((await tocsin('exercise', 'list')).stdout).toMatch(
      /Doomed drill\s+failed: severity P1 is no longer in plan drillme/,
    );
    // Failed is final: the next tick does not try again, and it cannot be cancelled.
    t.clock.set('2026-03-07T09:05:00Z');
    await engine.runUntilIdle();
    const again = (await api('GET', '/api/v1/exercises')).json().exercises;
    expect(again.find((e: { id: string }) => e.id === doomed.id).failed_at).toBe('2026-03-07T09:00:00.000Z');
    expect((await api('POST', `/api/v1/exercises/${doomed.id}/cancel`)).statusCode).toBe(409);
  });

  it("a confidential exercise's code name says it is an exercise, as its title does", async () => {
    const input = { title: 'Leaked keys', severity: 'SEV1', exercise: true, confidential: true };
    const byPattern = await declareIncident({ ctx: t.ctx(), input });
    expect(byPattern.code_name).toBe(`[EXERCISE] op-${byPattern.id}`);
    expect(publicName(byPattern)).toBe(`[EXERCISE] op-${byPattern.id}`);
    const given = await declareIncident({ ctx: t.ctx(), input: { ...input, code_name: 'bluebird' } });
    expect(given.code_name).toBe('[EXERCISE] bluebird');
    const real = await declareIncident({ ctx: t.ctx(), input: { ...input, exercise: false } });
    expect(real.code_name).toBe(`op-${real.id}`);
  });
});
