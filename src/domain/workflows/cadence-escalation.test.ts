import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { transitionIncident } from '../incidents/transition-incident.ts';
import { loadPlan } from '../plans/plan.ts';
import { applyPlan, publishUpdate, resolve } from './testing.ts';

// severities[].cadence.escalateAfter / escalateTo: an update that stays overdue past the reminder
// pages the plan's escalation target, once per missed update, only while the incident is open —
// acted by the engine on the virtual clock.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: cadence }
severities:
  - id: SEV1
    title: Critical
    cadence: { external: 30m, escalateAfter: { external: 15m }, escalateTo: [leadership] }
  - id: SEV2
    title: Major
    cadence: { external: 1h }
  - id: SEV3
    title: Minor
    cadence:
      external: 30m
      escalateAfter: { external: 15m }
      escalateTo: [leadership]
      byState: { monitoring: { external: none } }
roles: [{ id: incident-commander, title: Incident Commander }]
groups:
  - { id: leadership, title: Leadership, users: [lea], leadership: true }
lifecycle:
  states: [{ id: investigating }, { id: monitoring }, { id: resolved }]
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
let engine: Engine;
const ctx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
const MIN = 60_000;

beforeAll(async () => {
  t = await freshDb();
  await addUser(ctx(), 'lea', { email: 'lea@example.com' });
  await applyPlan(t.db, clock, PLAN);
  engine = new Engine({ db: t.db, clock, log: pino({ level: 'silent' }) }, engineModules({ deliver: false }));
});
afterAll(() => t.close());

const advance = async (minutes: number) => {
  clock.advance(minutes * MIN);
  await engine.runUntilIdle();
};
const escalationsOf = async (id: string) =>
  t.db
    .selectFrom('escalations')
    .select(['source', 'steps'])
    .where('incident_id', '=', id)
    .orderBy('id')
    .execute();
const runsOf = async (id: string) =>
  (
    await t.db
      .selectFrom('workflow_runs')
      .select('workflow')
      .where('incident_id', '=', id)
      .orderBy('id')
      .execute()
  ).map((r) => r.workflow);

describe('cadence escalation', () => {
  it('pages escalateTo when an external update is escalateAfter overdue, again for the next miss, never after resolution', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'cadence', severity: 'SEV1', title: 'Down' },
    });
    await engine.runUntilIdle();
    await advance(31);
    // Overdue: the reminder, not yet the escalation.
    expect(await runsOf(incident.id)).toContain('plan: external update cadence');
    expect(await escalationsOf(incident.id)).toEqual([]);
    await advance(13);
    expect(await escalationsOf(incident.id)).toEqual([]);
    await advance(1);
    const first = await escalationsOf(incident.id);
    expect(first).toHaveLength(1);
    expect(JSON.stringify(first[0]?.steps)).toContain('lea');
    expect(
      (await runsOf(incident.id)).filter((r) => r === 'plan: external update escalation SEV1'),
    ).toHaveLength(1);
    await advance(30);
    expect(await escalationsOf(incident.id)).toHaveLength(1);

    // An update restarts the clock: the next miss escalates again, 45 minutes after it.
    await publishUpdate(t.db, incident.id, 'external', clock.now());
    await advance(44);
    expect(await escalationsOf(incident.id)).toHaveLength(1);
    await advance(1);
    expect(await escalationsOf(incident.id)).toHaveLength(2);

    await publishUpdate(t.db, incident.id, 'external', clock.now());
    await resolve(t.db, incident.id, clock.now());
    await advance(120);
    expect(await escalationsOf(incident.id)).toHaveLength(2);
  });

  it('a severity without escalateAfter never escalates', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'cadence', severity: 'SEV2', title: 'Slow' },
    });
    await advance(180);
    expect(await escalationsOf(incident.id)).toEqual([]);
    await resolve(t.db, incident.id, clock.now());
  });

  it('follows the cadence in force: no escalation while a state wants no updates', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'cadence', severity: 'SEV3', title: 'Flaky' },
    });
    await advance(10);
    await transitionIncident({ ctx: ctx(), input: { incidentId: incident.id, to: 'monitoring' } });
    await advance(180);
    expect(await escalationsOf(incident.id)).toEqual([]);
    await transitionIncident({ ctx: ctx(), input: { incidentId: incident.id, to: 'investigating' } });
    await advance(45);
    expect(await escalationsOf(incident.id)).toHaveLength(1);
    await resolve(t.db, incident.id, clock.now());
  });

  it('refuses escalateAfter without a cadence and escalateTo naming nobody the plan knows', () => {
    const bad = loadPlan(
      PLAN.replace(
        'cadence: { external: 1h }',
        'cadence: { escalateAfter: { internal: 5m }, escalateTo: [nobody] }',
      ),
      'plan.yaml',
    );
    const messages = bad.errors.map((e) => `${e.line}:${e.col} ${e.message}`);
    expect(messages.join('\n')).toMatch(
      /escalateAfter.*needs cadence\.internal as well|needs cadence\.internal as well/,
    );
    expect(messages.join('\n')).toMatch(/nobody/);
  });
});
