import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../../test/cli-harness.ts';
import { addUser, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { savePolicy } from '../escalation-policies/save-policy.ts';
import { saveSchedule } from '../schedules/save-schedule.ts';
import { saveService } from '../services/save-service.ts';
import { saveTeam } from '../users/save-team.ts';
import { savePlan } from './save-plan.ts';

// Issue 15 §6: the server's part of the readiness report: the plan's services (owner, runbook),
// schedule gaps in the next 14 days, days since the last exercise.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: ready }
severities:
  - { id: P1, title: High, page: { to: sre } }
  - { id: P2, title: Low }
groups:
  - { id: sre, title: SRE, users: [ann] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
review: { every: quarterly, lastReviewed: "2026-01-15" }
runbooks:
  - { id: api-down, title: API down, steps: [Restart it], attach: { services: [api] } }
  - { id: any-p1, title: Any P1, steps: [Look], attach: { severities: [P1] } }
`;

let t: TestApp;
let planFile: string;

beforeAll(async () => {
  t = await testApp(); // 2026-03-02T10:00Z
  const ctx = t.ctx();
  await savePlan({ ctx, input: { source: PLAN } });
  await addUser(ctx, 'ann');
  await saveTeam({ ctx, input: { team: { name: 'core', description: '', members: [] }, mode: 'create' } });
  await savePolicy({
    ctx,
    input: {
      policy: { name: 'web-policy', steps: [{ escalateAfter: '10m', users: ['ann'] }] },
      mode: 'create',
    },
  });
  // api: a team and a runbook naming it; web: a policy, no runbook naming it; batch: nothing.
  await saveService({
    ctx,
    input: { service: { name: 'api', plan: 'ready', team: 'core' }, mode: 'create' },
  });
  await saveService({
    ctx,
    input: { service: { name: 'web', plan: 'ready', escalation_policy: 'web-policy' }, mode: 'create' },
  });
  await saveService({ ctx, input: { service: { name: 'batch', plan: 'ready' }, mode: 'create' } });
  // primary starts on 5 March at its 09:00 UTC handoff: nobody is on call until then.
  // always: ann every day from 1 March: no gap.
  for (const [name, start] of [
    ['primary', '2026-03-05'],
    ['always', '2026-03-01'],
  ] as const) {
    await saveSchedule({
      ctx,
      input: {
        schedule: {
          name,
          time_zone: 'UTC',
          layers: [{ type: 'daily', handoff: '09:00', start, participants: ['ann'] }],
        },
        mode: 'create',
      },
    });
  }
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  planFile = join(mkdtempSync(join(tmpdir(), 'readiness-')), 'ready.yaml');
  writeFileSync(planFile, PLAN);
});
afterAll(() => t.close());

describe('GET /api/v1/plans/:name/readiness', () => {
  it('reports services, schedule gaps in the next 14 days, review and exercises', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/plans/ready/readiness',
      headers: auth(t.adminToken),
    });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({
      plan: 'ready',
      version: 1,
      severities: [
        { id: 'P1', route: 'named' },
        { id: 'P2', route: 'service_policy' },
      ],
      // Reviewed 15 January, quarterly: due 15 April, not yet on 2 March.
      review: { every: 'quarterly', due_at: '2026-04-15T00:00:00.000Z', due: false },
      services: [
        { name: 'api', team: 'core', escalation_policy: null, runbooks: ['api-down'], ready: true },
        { name: 'batch', team: null, escalation_policy: null, runbooks: [], ready: false },
        { name: 'web', team: null, escalation_policy: 'web-policy', runbooks: [], ready: false },
      ],
      window: { from: '2026-03-02T10:00:00.000Z', to: '2026-03-16T10:00:00.000Z' },
      last_exercise_at: null,
      days_since_last_exercise: null,
    });
    expect(r.schedules).toEqual([
      { schedule: 'always', time_zone: 'UTC', gaps: [] },
      {
        schedule: 'primary',
        time_zone: 'UTC',
        gaps: [{ start: '2026-03-02T10:00:00.000Z', end: '2026-03-05T09:00:00.000Z' }],
      },
    ]);
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/v1/plans/nope/readiness',
      headers: auth(t.adminToken),
    });
    expect(missing.statusCode).toBe(404);
  });

  it('tocsin plan check --url prints the server part under the file part', async () => {
    const tocsin = await cliAgainst(t);
    const out = await tocsin('plan', 'check', planFile);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('service api: ready (team core; runbooks api-down)');
    expect(out.stdout).toContain('service batch: not ready (NO OWNER; NO RUNBOOK)');
    expect(out.stdout).toContain('service web: not ready (policy web-policy; NO RUNBOOK)');
    expect(out.stdout).toContain('schedule always: covered for the next 14 days');
    expect(out.stdout).toMatch(/schedule primary: nobody on call 2026-03-02 1\d:\d\dZ – 2026-03-05 09:00Z/);
    expect(out.stdout).toContain('exercises: no exercise recorded');
  });
});
