import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../../test/cli-harness.ts';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { runbookRows } from '../drills/judge.ts';
import { changeSeverity } from '../incidents/change-severity.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { findIncident } from '../incidents/queries.ts';
import { transitionIncident } from '../incidents/transition-incident.ts';
import { loadPlan } from '../plans/plan.ts';
import { savePlan } from '../plans/save-plan.ts';
import { attachedRunbookIds } from './queries.ts';

// Issue 15 item 4: the plan's runbooks are attached to the incidents they match (severity, service,
// labels; verification.runbook on entering verification); their steps are a checklist responders tick
// (API and CLI), their url a link on the incident; drills judge that each was attached.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: jobs }
severities:
  - { id: P0, title: Critical }
  - { id: P1, title: High }
lifecycle:
  states: [{ id: investigating }, { id: monitoring }, { id: resolved }]
verification: { state: monitoring, runbook: verify-health }
runbooks:
  - id: database-connection-failure
    title: Database connection failure
    url: https://wiki.example.com/runbooks/db
    symptoms: [API down]
    triage: ["Check RDS metrics (CPU, connections)"]
    steps:
      - Kill idle connections
      - { title: Raise max_connections, command: "aws rds modify-db-parameter-group --max-connections 200" }
    attach: { severities: [P0], services: [api], labels: { alertname: DatabaseConnections } }
  - id: rollback-api
    title: Rollback API service
    steps: [Revert to the previous task definition]
    attach: { severities: [P1] }
  - id: verify-health
    title: Verify health
    steps: [Health checks passing]
`;

type Detail = {
  links: Record<string, string>;
  checklists: { name: string; items: { id: string; text: string; done_at: string | null }[] }[];
};

let t: TestApp;
let api: (
  method: 'GET' | 'PATCH',
  url: string,
  payload?: unknown,
) => Promise<{ status: number; json: Detail & Record<string, unknown> }>;

beforeAll(async () => {
  t = await testApp();
  await savePlan({ ctx: t.ctx(), input: { source: PLAN } });
  api = async (method, url, payload) => {
    const res = await t.app.inject({
      method,
      url,
      headers: auth(t.adminToken),
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, json: res.json() };
  };
});
afterAll(() => t.close());

async function declare(severity: string, service: string | null, labels: Record<string, string> = {}) {
  const incident = await declareIncident({
    ctx: t.ctx(),
    input: { title: 'Applications fail', severity, service, labels },
  });
  return incident.id;
}

describe('attaching', () => {
  it('attaches the runbooks an incident matches, with steps to tick and a link', async () => {
    const id = await declare('P0', 'api', { alertname: 'DatabaseConnections' });
    expect(await attachedRunbookIds(t.db, id)).toEqual(['database-connection-failure']);
    const detail = (await api('GET', `/api/v1/incidents/${id}`)).json;
    expect(detail.links['runbook:database-connection-failure']).toBe('https://wiki.example.com/runbooks/db');
    const list = detail.checklists.find((c) => c.name === 'runbook:database-connection-failure');
    expect(list?.items.map((i) => i.text)).toEqual([
      'Check: Check RDS metrics (CPU, connections)',
      'Do: Kill idle connections',
      'Do: Raise max_connections — `aws rds modify-db-parameter-group --max-connections 200`',
    ]);
    const step = list?.items[1];
    const ticked = await api('PATCH', `/api/v1/incidents/${id}/checklist/${step?.id}`, { done: true });
    expect(ticked.status).toBe(200);
    expect(ticked.json.item).toMatchObject({ done_at: expect.any(String) });
  });

  it('needs every criterion: another service or a missing label attaches nothing', async () => {
    expect(
      await attachedRunbookIds(t.db, await declare('P0', 'web', { alertname: 'DatabaseConnections' })),
    ).toEqual([]);
    expect(await attachedRunbookIds(t.db, await declare('P0', 'api'))).toEqual([]);
  });

  it("a severity change attaches the new severity's runbooks once; verification attaches its own", async () => {
    const id = await declare('P0', 'api', { alertname: 'DatabaseConnections' });
    await changeSeverity({ ctx: t.ctx(), input: { incidentId: id, severity: 'P1', reason: 'fewer users' } });
    await changeSeverity({ ctx: t.ctx(), input: { incidentId: id, severity: 'P0', reason: 'more again' } });
    await changeSeverity({ ctx: t.ctx(), input: { incidentId: id, severity: 'P1', reason: 'fewer again' } });
    await transitionIncident({ ctx: t.ctx(), input: { incidentId: id, to: 'monitoring' } });
    expect(await attachedRunbookIds(t.db, id)).toEqual([
      'database-connection-failure',
      'rollback-api',
      'verify-health',
    ]);
    const detail = (await api('GET', `/api/v1/incidents/${id}`)).json;
    expect(detail.checklists.filter((c) => c.name.startsWith('runbook:')).map((c) => c.items.length)).toEqual(
      [3, 1, 1],
    );
  });

  it('the CLI ticks a runbook step off and back on', async () => {
    const id = await declare('P1', null);
    const detail = (await api('GET', `/api/v1/incidents/${id}`)).json;
    const item = detail.checklists.find((c) => c.name === 'runbook:rollback-api')?.items[0];
    const tocsin = await cliAgainst(t);
    const shown = await tocsin('incident', 'show', id);
    expect(shown.stdout).toContain('Checklist: runbook:rollback-api');
    const done = await tocsin('incident', 'tick', id, String(item?.id));
    expect(done.stdout).toBe('[x] Do: Revert to the previous task definition\n');
    const undone = await tocsin('incident', 'tick', id, String(item?.id), '--undo', '--json');
    expect(JSON.parse(undone.stdout)).toMatchObject({ done_at: null });
    const missing = await tocsin('incident', 'tick', id, '999999');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('not found');
  });

  it('drills judge that each matching runbook was attached', async () => {
    const id = await declare('P1', null);
    const incident = await findIncident(t.db, id);
    const plan = loadPlan(PLAN, 'jobs.yaml').plan;
    if (!incident || !plan) throw new Error('fixture');
    expect(runbookRows(plan, incident, await attachedRunbookIds(t.db, id))).toEqual([
      {
        rule: 'runbooks.rollback-api.attach',
        expected: 'attached',
        actual: 'attached',
        verdict: 'met',
        counts: true,
      },
    ]);
    expect(runbookRows(plan, incident, [])[0]?.verdict).toBe('breached');
  });
});

describe('bad plans', () => {
  const errors = (text: string) =>
    loadPlan(text, 'jobs.yaml')
      .errors.map((e) => `${e.file}:${e.line}:${e.col} ${e.message}`)
      .join('\n');
  it('refuses an unknown severity, an attached runbook without steps and unknown keys, at line:col', () => {
    expect(errors(PLAN)).toBe('');
    expect(errors(PLAN.replace('attach: { severities: [P1] }', 'attach: { severities: [P9] }'))).toMatch(
      /^jobs\.yaml:\d+:\d+ .*undefined severity "P9"/,
    );
    expect(errors(PLAN.replace('    steps: [Revert to the previous task definition]\n', ''))).toMatch(
      /^jobs\.yaml:\d+:\d+ .*needs triage or steps/,
    );
    expect(errors(PLAN.replace('attach: { severities: [P1] }', 'attach: { severity: P1 }'))).toMatch(
      /^jobs\.yaml:\d+:\d+ .*severity/,
    );
  });
});
