import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { applyPlan, declareIncident } from './testing.ts';

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: routes }
severities:
  - id: SEV1
    title: Critical
    targets: { acknowledge: 5m }
    cadence: { internal: 30m }
    page: { servicePolicy: false } # no service-policy page rule among the rules counted here
roles:
  - { id: incident-commander, title: Incident Commander }
lifecycle:
  states: [{ id: investigating }, { id: resolved, by: [incident-commander] }]
workflows:
  - name: welcome
    when: incident.declared
    then: [{ note: "Welcome to {title}" }]
`;

let t: TestApp;
let viewer: string;
beforeAll(async () => {
  t = await testApp();
  await applyPlan(t.db, t.clock, PLAN);
  viewer = await t.tokenFor('viewer');
});
afterAll(() => t.close());

describe('workflow routes', () => {
  it('shows the rules of a plan: its workflows and what its fixed fields compile to', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/plans/routes/rules',
      headers: auth(viewer),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ name: 'routes', version: 1, current_version: 1 });
    expect(body.rules.map((r: { name: string; source: string }) => [r.name, r.source])).toEqual([
      ['welcome', 'workflow'],
      ['plan: acknowledge target', 'plan'],
      ['plan: internal update cadence', 'plan'],
    ]);
    expect(body.rules[2]).toMatchObject({ when: { overdue: 'internal' } });
    expect(body.guards).toEqual([
      {
        field: 'lifecycle.states[1].by',
        description: 'only incident-commander may move an incident to resolved (others get 403)',
      },
      {
        field: 'commanderRole',
        description:
          'incident-commander commands: plan reminders go to its holder, {incident_commander} names them',
      },
    ]);
  });

  it('answers 404 for an unknown plan or version and 400 for a bad query', async () => {
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/v1/plans/nope/rules',
      headers: auth(viewer),
    });
    expect(missing.statusCode).toBe(404);
    const version = await t.app.inject({
      method: 'GET',
      url: '/api/v1/plans/routes/rules?version=9',
      headers: auth(viewer),
    });
    expect(version.statusCode).toBe(404);
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/v1/plans/routes/rules?version=x&other=1',
      headers: auth(viewer),
    });
    expect(bad.statusCode).toBe(400);
  });

  it('lists the workflow runs of an incident, newest first', async () => {
    const id = await declareIncident(t.db, {
      plan: 'routes',
      version: 1,
      severity: 'SEV1',
      at: t.clock.now(),
    });
    const engine = new Engine({ db: t.db, clock: t.clock }, engineModules());
    await engine.runUntilIdle();
    t.clock.advance(31 * 60_000);
    await engine.runUntilIdle();
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/incidents/${id}/workflow-runs`,
      headers: auth(viewer),
    });
    expect(res.statusCode).toBe(200);
    const runs = res.json().runs as {
      workflow: string;
      source: string;
      trigger_key: string;
      actions: unknown;
    }[];
    expect(runs.map((r) => [r.workflow, r.source])).toEqual([
      ['plan: internal update cadence', 'plan'],
      ['plan: acknowledge target', 'plan'],
      ['welcome', 'workflow'],
    ]);
    expect(runs[2]?.actions).toEqual([{ action: 'note' }]);
    const unauthenticated = await t.app.inject({
      method: 'GET',
      url: `/api/v1/incidents/${id}/workflow-runs`,
    });
    expect(unauthenticated.statusCode).toBe(401);
  });

  it('answers 404 for an unknown incident and 400 for a malformed id', async () => {
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/v1/incidents/999999/workflow-runs',
      headers: auth(viewer),
    });
    expect(missing.statusCode).toBe(404);
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/v1/incidents/abc/workflow-runs',
      headers: auth(viewer),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('params.id');
  });
});
