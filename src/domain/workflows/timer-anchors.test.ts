import { afterAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { drillEngine } from '../../engine/drill-engine.ts';
import { formatSourceError } from '../../lib/yaml-source.ts';
import { loadScenario } from '../drills/report.ts';
import { runDrill } from '../drills/run-drill.ts';
import { loadPlan } from '../plans/plan.ts';

// Timer anchors beyond declaration: the incident's last page, a role's assignment and a time a person
// scheduled in a custom field (a review meeting); and anchor cycles refused at validation.

const PLAN = `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: anchors }
severities:
  - { id: SEV1, title: Critical, page: { to: on-call } }
groups:
  - { id: on-call, title: On call, users: [ana] }
roles:
  - { id: incident-commander, title: Incident Commander }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
workflows:
  - name: quiet after the page
    when: { elapsed: 10m, since: last_page }
    then: [{ note: "10 minutes since the last page" }]
  - name: commander check-in
    when: { elapsed: 15m, since: role_assigned, role: incident-commander }
    then: [{ remind: { role: incident-commander, message: "15 minutes in command: post an update" } }]
  - name: review meeting
    when: { elapsed: 0m, since: scheduled, field: review_at }
    then: [{ note: "The review meeting starts now" }]
`;

let d: TestDb;
afterAll(() => d?.close());

describe('timer anchors', { timeout: 120_000 }, () => {
  it('fire from the last page, the role assignment and the scheduled time, each at its own moment', async () => {
    d = await freshDb();
    const { scenario, errors } = loadScenario(
      `metadata: { name: anchors }
users: [ana]
steps:
  - { at: "0", do: declare }
  - { at: 5m, do: assign, role: incident-commander, user: ana }
  - { at: 6m, do: set, fields: { review_at: "2026-01-05T10:40:00Z" } }
  - { at: 50m, do: assign, role: incident-commander, user: drill-commander }
  - { at: 70m, do: resolve }
`,
      'anchors.yaml',
    );
    expect(errors).toEqual([]);
    const report = await runDrill(
      d.db,
      { planSource: PLAN, planFile: 'anchors.yaml', scenario },
      drillEngine,
    );
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.workflows.map((w) => [w.workflow, w.at_offset])).toEqual([
      ['plan: page SEV1', '+0s'],
      ['quiet after the page', '+10m'],
      ['commander check-in', '+20m'],
      ['review meeting', '+40m'],
      // A new holder restarts the role's timer.
      ['commander check-in', '+1h5m'],
    ]);
    expect(report.action_errors).toEqual([]);
  });
});

describe('timer anchors: bad input', () => {
  const errorsOf = (workflows: string) =>
    loadPlan(`${PLAN.slice(0, PLAN.indexOf('workflows:'))}workflows:\n${workflows}`, 'p.yaml').errors.map(
      formatSourceError,
    );

  it('needs the role or field its anchor names, and only with that anchor', () => {
    expect(
      errorsOf(`  - name: a
    when: { elapsed: 5m, since: role_assigned }
    then: [{ note: x }]
  - name: b
    when: { elapsed: 5m, since: role_assigned, role: scribe }
    then: [{ note: x }]
  - name: c
    when: { elapsed: 5m, since: scheduled }
    then: [{ note: x }]
  - name: d
    when: { elapsed: 5m, field: review_at, role: incident-commander }
    then: [{ note: x }]
`),
    ).toEqual([
      'p.yaml:14:33: workflows.0.when.since: since: role_assigned needs `role:` (a plan role)',
      'p.yaml:17:54: workflows.1.when.role: undefined role "scribe"',
      'p.yaml:20:33: workflows.2.when.since: since: scheduled needs `field:` (the custom field holding the time)',
      'p.yaml:23:33: workflows.3.when.field: `field` goes with since: scheduled',
      'p.yaml:23:50: workflows.3.when.role: `role` goes with since: role_assigned',
    ]);
  });

  it('refuses anchor cycles at each timer on them, naming the cycle', () => {
    const errors = errorsOf(`  - name: repage
    when: { elapsed: 30m, since: last_page }
    then: [{ page: on-call }]
  - name: ping
    when: { elapsed: 1h, since: scheduled, field: a }
    then: [{ setField: { field: b, value: "{fields.x}" } }]
  - name: pong
    when: { elapsed: 1h, since: scheduled, field: b }
    then: [{ setField: { field: a, value: "{fields.x}" } }]
  - name: fine
    when: { elapsed: 1h, since: scheduled, field: c }
    then: [{ page: on-call }, { setField: { field: c, value: "2026-01-05T12:00:00Z" } }]
`);
    expect(errors).toEqual([
      expect.stringMatching(
        /^p\.yaml:14:34: workflows\.0\.when\.since: anchor cycle: "repage" → "repage" \(each firing moves what the next counts from: last_page;/,
      ),
      expect.stringMatching(
        /^p\.yaml:17:33: workflows\.1\.when\.since: anchor cycle: "ping" → "pong" → "ping" \(.*: field a, field b;/,
      ),
      expect.stringMatching(
        /^p\.yaml:20:33: workflows\.2\.when\.since: anchor cycle: "pong" → "ping" → "pong"/,
      ),
    ]);
  });
});
