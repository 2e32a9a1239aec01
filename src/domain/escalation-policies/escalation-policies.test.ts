import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';

// Escalation policies through the API and `tocsin apply`, and a service whose policy pages its
// incidents instead of the plan's default.

let t: TestApp;
let token: string;

const setup = `apiVersion: tocsin.dev/v1
kind: User
metadata: { name: rosa }
spec: { name: Rosa, email: rosa@example.com, role: responder }
---
apiVersion: tocsin.dev/v1
kind: User
metadata: { name: omar }
spec: { name: Omar, email: omar@example.com, role: responder }
---
apiVersion: tocsin.dev/v1
kind: Team
metadata: { name: payments }
spec: { members: [{ user: rosa }, { user: omar }] }
---
apiVersion: tocsin.dev/v1
kind: EscalationPolicy
metadata: { name: payments, description: Payments on call }
spec:
  repeat: 1
  steps:
    - { users: [rosa], escalateAfter: 10m }
    - { teams: [payments] }
`;

const plan = `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: svc-plan }
severities:
  - { id: SEV1, title: Outage, page: { to: on-call } }
groups:
  - { id: on-call, title: On call, users: [omar] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`;

function apply(content: string, dryRun = false) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/apply',
    headers: auth(t.adminToken),
    payload: { documents: [{ file: 'oncall.yaml', content }], dry_run: dryRun },
  });
}

beforeAll(async () => {
  t = await testApp();
  token = await t.tokenFor('manager', 'mia');
  expect((await apply(setup)).statusCode).toBe(200);
  expect((await apply(plan)).statusCode).toBe(200);
});
afterAll(() => t.close());

describe('escalation policies', () => {
  it('apply is idempotent and reads back in the document form', async () => {
    const again = await apply(setup);
    expect(again.json().results.map((r: { change: string }) => r.change)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/escalation-policies/payments',
      headers: auth(token),
    });
    expect(res.json().policy).toMatchObject({
      name: 'payments',
      repeat: 1,
      steps: [
        { users: ['rosa'], schedules: [], teams: [], escalateAfter: '10m' },
        { users: [], teams: ['payments'], escalateAfter: '5m' },
      ],
    });
  });

  it('a dry run shows the changed step', async () => {
    const res = await apply(setup.replace('escalateAfter: 10m', 'escalateAfter: 15m'), true);
    expect(res.json().results[3]).toMatchObject({
      kind: 'EscalationPolicy',
      change: 'updated',
    });
  });

  it('refuses unknown names with the field path, and a document error at file:line:col', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/escalation-policies',
      headers: auth(token),
      payload: { name: 'typo', steps: [{ users: ['rosa', 'rsoa'] }, { schedules: ['nope'] }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([
      { path: 'steps.0.users.1', message: 'no user "rsoa"' },
      { path: 'steps.1.schedules.0', message: 'no schedule "nope"' },
    ]);
    const empty = await t.app.inject({
      method: 'POST',
      url: '/api/v1/escalation-policies',
      headers: auth(token),
      payload: { name: 'empty', steps: [{ escalateAfter: '5m' }] },
    });
    expect(empty.statusCode).toBe(400);
    expect(JSON.stringify(empty.json())).toContain('a step names at least one user, schedule or team');

    const doc = await apply(
      'apiVersion: tocsin.dev/v1\nkind: EscalationPolicy\nmetadata: { name: x }\nspec:\n  steps:\n    - { users: [rosa], escalateAfter: soon }\n',
    );
    expect(doc.statusCode).toBe(400);
    expect(JSON.stringify(doc.json())).toMatch(/oncall\.yaml:6:\d+/);
  });

  it('a step may name shadows: stored, read back, and unknown names refused at the field', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/escalation-policies',
      headers: auth(token),
      payload: {
        name: 'trainees',
        steps: [{ users: ['rosa'], shadows: ['omar', 'ghost', 'schedule:nope'] }],
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([
      { path: 'steps.0.shadows.2', message: 'no schedule "nope"' },
      { path: 'steps.0.shadows.1', message: 'no user "ghost"' },
    ]);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/escalation-policies',
      headers: auth(token),
      payload: { name: 'trainees', steps: [{ users: ['rosa'], shadows: ['user:omar'] }] },
    });
    expect(ok.statusCode).toBeLessThan(300);
    expect(ok.json().policy.steps[0].shadows).toEqual(['omar']);
  });

  it('only managers write policies', async () => {
    const responder = await t.tokenFor('responder', 'rita');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/escalation-policies',
      headers: auth(responder),
      payload: { name: 'mine', steps: [{ users: ['rosa'] }] },
    });
    expect(res.statusCode).toBe(403);
  });

  it('a service naming an unknown policy is refused at the field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/services',
      headers: auth(token),
      payload: { name: 'typo-api', escalation_policy: 'paymnets' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      { path: 'escalation_policy', message: 'no escalation policy "paymnets"' },
    ]);
  });

  it("a service's policy pages its incidents instead of the plan's group; in use, it is not deleted", async () => {
    const svc = await t.app.inject({
      method: 'POST',
      url: '/api/v1/services',
      headers: auth(token),
      payload: { name: 'payments-api', plan: 'svc-plan', escalation_policy: 'payments' },
    });
    expect(svc.statusCode).toBe(201);
    const declared = await t.app.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: auth(token),
      payload: {
        plan: 'svc-plan',
        severity: 'SEV1',
        title: 'Card payments failing',
        service: 'payments-api',
      },
    });
    const id = declared.json().incident.id;
    const engine = new Engine(
      { db: t.db, clock: t.clock, log: pino({ level: 'silent' }) },
      engineModules({ deliver: false }),
    );
    await engine.runUntilIdle();
    const pages = await t.app.inject({
      method: 'GET',
      url: `/api/v1/incidents/${id}/pages`,
      headers: auth(token),
    });
    expect(pages.statusCode).toBe(200);
    expect(pages.json().messages.map((m: { user: string }) => m.user)).toEqual(['rosa']);
    t.clock.advance(10 * 60_000);
    await engine.runUntilIdle();
    const later = await t.app.inject({
      method: 'GET',
      url: `/api/v1/incidents/${id}/pages`,
      headers: auth(token),
    });
    expect(
      later.json().messages.map((m: { user: string; channel: string }) => `${m.user}:${m.channel}`),
    ).toEqual(['rosa:email', 'rosa:email', 'omar:email']);

    const del = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/escalation-policies/payments',
      headers: auth(token),
    });
    expect(del.statusCode).toBe(409);
  });
});
