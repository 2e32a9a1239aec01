import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { drillEngine } from '../../engine/drill-engine.ts';
import { formatSourceError } from '../../lib/yaml-source.ts';
import { loadScenario } from '../drills/report.ts';
import { runDrill } from '../drills/run-drill.ts';
import { loadPlan } from '../plans/plan.ts';

// Role constraints: who may hold a role (holders), roles one person may not hold together (notWith),
// and the first to acknowledge taking the commander role (firstToAcknowledge), judged by drills.

const PLAN = `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: constrained }
severities:
  - { id: SEV1, title: Critical }
groups:
  - { id: senior, title: Senior engineers, users: [ana, bo] }
roles:
  - id: incident-commander
    title: Incident Commander
    firstToAcknowledge: true
    holders: [senior]
    notWith: [scribe]
  - { id: scribe, title: Scribe }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`;

let d: TestDb;
beforeAll(async () => {
  d = await freshDb();
});
afterAll(() => d?.close());

async function drill(steps: string) {
  const { scenario, errors } = loadScenario(`users: [ana, bo, cy]\nsteps:\n${steps}`, 's.yaml');
  expect(errors).toEqual([]);
  return runDrill(d.db, { planSource: PLAN, planFile: 'constrained.yaml', scenario }, drillEngine);
}

describe('role constraints', { timeout: 120_000 }, () => {
  it('the first to acknowledge becomes commander; the same person may not then be scribe', async () => {
    const report = await drill(`  - { at: "0", do: declare }
  - { at: 2m, do: acknowledge, as: bo }
  - { at: 3m, do: assign, role: scribe, user: bo }
  - { at: 4m, do: assign, role: scribe, user: cy }
  - { at: 10m, do: resolve }
`);
    expect(report.roles.map((r) => [r.role, r.user, r.at_offset, r.how])).toEqual([
      ['incident-commander', 'bo', '+2m', 'automatically, from the first acknowledgement'],
      ['scribe', 'cy', '+4m', 'by hand'],
    ]);
    expect(report.steps.filter((s) => !s.ok)).toEqual([
      {
        at: '3m',
        do: 'assign',
        ok: false,
        error: expect.stringMatching(
          /^bo holds incident-commander: one person may not hold scribe and incident-commander at once \(roles\[\]\.notWith\)/,
        ),
      },
    ]);
  });

  it('refuses a holder outside holders, by hand and on acknowledgement; the scribe cannot take command', async () => {
    const report = await drill(`  - { at: "0", do: declare }
  - { at: 1m, do: assign, role: scribe, user: ana }
  - { at: 2m, do: acknowledge, as: ana }
  - { at: 3m, do: assign, role: incident-commander, user: cy }
  - { at: 4m, do: assign, role: incident-commander, user: bo }
  - { at: 10m, do: resolve }
`);
    expect(report.roles.map((r) => [r.role, r.user, r.how])).toEqual([
      ['scribe', 'ana', 'by hand'],
      ['incident-commander', 'bo', 'by hand'],
    ]);
    expect(report.steps.filter((s) => !s.ok).map((s) => [s.at, s.error])).toEqual([
      [
        '3m',
        expect.stringMatching(/^cy may not hold incident-commander: only senior \(roles\[\]\.holders\)/),
      ],
    ]);
  });
});

describe('role constraints: bad input', () => {
  it('names unknown roles and a role excluding itself at line:col', () => {
    const bad = PLAN.replace('notWith: [scribe]', 'notWith: [scrib, incident-commander]').replace(
      'holders: [senior]',
      'holders: [seniors]',
    );
    expect(loadPlan(bad, 'p.yaml').errors.map(formatSourceError)).toEqual([
      expect.stringMatching(/^p\.yaml:12:15: roles\.0\.holders\.0: .*seniors/),
      expect.stringMatching(/^p\.yaml:13:15: roles\.0\.notWith\.0: undefined role "scrib"/),
      'p.yaml:13:22: roles.0.notWith.1: a role cannot exclude itself',
    ]);
    const typed = PLAN.replace('firstToAcknowledge: true', 'firstToAcknowledge: yes please');
    expect(loadPlan(typed, 'p.yaml').errors.map(formatSourceError)).toEqual([
      expect.stringMatching(/^p\.yaml:11:25: roles\.0\.firstToAcknowledge: .*boolean/),
    ]);
  });
});
