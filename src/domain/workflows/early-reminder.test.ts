import { afterAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { drillEngine } from '../../engine/drill-engine.ts';
import { loadScenario } from '../drills/report.ts';
import { runDrill } from '../drills/run-drill.ts';

// cadence.remindAfter: the early update reminder follows the cadence in force (byAge, byState), as
// far ahead of each due moment as remindAfter is ahead of the base cadence.

const PLAN = `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: early }
severities:
  - id: SEV1
    title: Critical
    cadence:
      internal: 1h
      remindAfter: { internal: 30m }
      byAge: [{ after: 2h, internal: 2h }]
      byState: { monitoring: { internal: none } }
roles: [{ id: incident-commander, title: Incident Commander }]
lifecycle:
  states: [{ id: investigating }, { id: monitoring }, { id: resolved }]
`;

let d: TestDb;
afterAll(() => d?.close());

describe('early update reminders', { timeout: 120_000 }, () => {
  it('come 30 minutes before each due moment of the cadence in force, and none while monitoring', async () => {
    d = await freshDb();
    const { scenario, errors } = loadScenario(
      `steps:
  - { at: "0", do: declare }
  - { at: 1m, do: assign, role: incident-commander, user: drill-commander }
  - { at: 40m, do: update, audience: internal }
  - { at: 1h20m, do: update, audience: internal }
  - { at: 3h, do: transition, to: monitoring }
  - { at: 5h, do: resolve }
`,
      'early.yaml',
    );
    expect(errors).toEqual([]);
    const report = await runDrill(d.db, { planSource: PLAN, planFile: 'early.yaml', scenario }, drillEngine);
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    // Due at 1h (early at 30m); after the update at 40m due at 1h40m (early 1h10m); after the one at
    // 1h20m the two-hourly cadence of an incident over 2h old applies: due 3h20m, early at 2h50m.
    // From 3h the incident is monitoring: nothing is due, nothing is reminded.
    expect(
      report.workflows
        .filter((w) => w.workflow === 'plan: internal update reminder SEV1')
        .map((w) => w.at_offset),
    ).toEqual(['+30m', '+1h10m', '+2h50m']);
    expect(report.cadence).toMatchObject([{ audience: 'internal', verdict: 'met' }]);
  });
});
