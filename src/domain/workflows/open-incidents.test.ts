import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { Engine } from '../../engine/engine.ts';
import { workflowEventsModule } from '../../engine/workflow-events.ts';
import { workflowTimersModule } from '../../engine/workflow-timers.ts';
import { formatSourceError } from '../../lib/yaml-source.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { loadPlan } from '../plans/plan.ts';
import { getPlanRules } from './get-plan-rules.ts';
import { applyPlan, declareIncident, resolve, runsOf } from './testing.ts';

// A workflow condition over the other open incidents (issue 11 §3.10): page leadership when a second
// SEV2-or-worse incident is open at the same time, not for the first one alone.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: across }
severities:
  - { id: SEV1, title: Critical, page: { servicePolicy: false } }
  - { id: SEV2, title: Major, page: { servicePolicy: false } }
  - { id: SEV3, title: Minor, page: { servicePolicy: false } }
groups:
  - { id: leadership, title: Leadership, users: [lea] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
workflows:
  - name: several major incidents
    when: incident.declared
    if: { openIncidents: { severityAtLeast: SEV2, atLeast: 2 } }
    then:
      - page: leadership
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
let engine: Engine;

beforeAll(async () => {
  t = await freshDb();
  await addUser(makeCtx({ db: t.db, clock }, SYSTEM_ACTOR), 'lea', { email: 'lea@example.com' });
  await applyPlan(t.db, clock, PLAN);
  engine = new Engine({ db: t.db, clock }, [workflowTimersModule(), workflowEventsModule()]);
});
afterAll(() => t.close());

const declare = async (severity: string) => {
  const id = await declareIncident(t.db, { plan: 'across', severity, at: clock.now() });
  await engine.runUntilIdle();
  return id;
};
const fired = async (id: string) => (await runsOf(t.db, id)).map((r) => r.workflow);

describe('if.openIncidents', () => {
  it('fires at the second open SEV2-or-worse incident, not at the first, nor counting a SEV3', async () => {
    const first = await declare('SEV1');
    expect(await fired(first)).toEqual([]);
    const minor = await declare('SEV3'); // two open, but one is less severe than SEV2
    expect(await fired(minor)).toEqual([]);
    const second = await declare('SEV2');
    expect(await fired(second)).toEqual(['several major incidents']);
    const escalations = await t.db
      .selectFrom('escalations')
      .select('incident_id')
      .where('incident_id', '=', second)
      .execute();
    expect(escalations).toHaveLength(1);

    // Once the others are resolved, a new one is alone again.
    for (const id of [first, minor, second]) await resolve(t.db, id, clock.now());
    await engine.runUntilIdle();
    const alone = await declare('SEV1');
    expect(await fired(alone)).toEqual([]);
  });

  it('is listed in the plan rules', async () => {
    const rules = await getPlanRules({
      ctx: makeCtx({ db: t.db, clock }, SYSTEM_ACTOR),
      input: { name: 'across' },
    });
    expect(JSON.stringify(rules.rules)).toContain('"openIncidents":{"severityAtLeast":"SEV2","atLeast":2}');
  });

  it('refuses an unknown severity at its file:line:col', () => {
    const bad = PLAN.replace('severityAtLeast: SEV2', 'severityAtLeast: SEV9');
    expect(loadPlan(bad, 'p.yaml').errors.map(formatSourceError)).toEqual([
      'p.yaml:16:45: workflows.0.if.openIncidents.severityAtLeast: undefined severity "SEV9"',
    ]);
  });
});
