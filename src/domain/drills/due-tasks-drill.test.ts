import { afterAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { drillEngine } from '../../engine/drill-engine.ts';
import { loadScenario } from './report.ts';
import { runDrill } from './run-drill.ts';

// A drill judges due tasks: the owner reminded tasks.remindBefore ahead, escalateTo paged once overdue.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: due-drill }
severities:
  - { id: SEV1, title: Critical, targets: { acknowledge: 5m } }
roles: [{ id: incident-commander, title: Incident commander }]
groups:
  - { id: leads, title: Leads, users: [cat] }
tasks: { remindBefore: 10m, escalateTo: [leads] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
workflows:
  - name: comms task
    when: incident.declared
    then: [{ addTask: { title: Email customers, owner: ana, due: 30m } }]
`;

const SCENARIO = `
metadata: { name: due-tasks }
users: [ana, cat]
steps:
  - { at: "0", do: declare }
  - { at: 2m, do: acknowledge }
  - { at: 15m, do: note, text: still working }
  - { at: 45m, do: resolve }
`;

let d: TestDb;
afterAll(() => d?.close());

describe('a drill of a plan with due tasks', { timeout: 120_000 }, () => {
  it('reminds and escalates on the virtual clock, and judges both', async () => {
    d = await freshDb();
    const { scenario, errors } = loadScenario(SCENARIO, 'due.yaml');
    expect(errors).toEqual([]);
    const report = await runDrill(d.db, { planSource: PLAN, planFile: 'due.yaml', scenario }, drillEngine);
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.rules.filter((r) => r.rule.startsWith('tasks.')).map((r) => [r.rule, r.verdict])).toEqual([
      ['tasks.remindBefore', 'met'],
      ['tasks.escalateTo', 'met'],
    ]);
    const toAna = report.messages
      .filter((m) => m.to === 'ana' || m.to === 'user:ana')
      .map((m) => m.at_offset);
    expect(toAna).toContain('+20m');
    // Overdue is past the due time: the first pass after +30m pages the leads, once.
    const toCat = report.messages.filter((m) => m.to === 'cat');
    expect(toCat).toHaveLength(1);
    expect(toCat[0]?.text).toMatch(/Overdue task .*Email customers/);
  });
});
