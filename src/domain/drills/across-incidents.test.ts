import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { drillEngine } from '../../engine/drill-engine.ts';
import { loadScenario } from './report.ts';
import { runDrill } from './run-drill.ts';

// Drills across incidents: a second incident opened while the first is open counts for
// workflows[].if.openIncidents, the example drills under examples/drills/ say so.

const dbs: TestDb[] = [];
afterAll(() => Promise.all(dbs.map((d) => d.close())));

async function drill(planFile: string, drillFile: string) {
  const d = await freshDb();
  dbs.push(d);
  const { scenario, errors } = loadScenario(readFileSync(`examples/drills/${drillFile}`, 'utf8'), drillFile);
  expect(errors).toEqual([]);
  return runDrill(
    d.db,
    { planSource: readFileSync(`examples/plans/${planFile}`, 'utf8'), planFile, scenario },
    drillEngine,
  );
}

describe('drills across incidents', { timeout: 120_000 }, () => {
  it('pages leadership when a second SEV2-or-worse incident opens (if.openIncidents)', async () => {
    const report = await drill('alerting.yaml', 'alerting-concurrent.yaml');
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.incidents.map((i) => [i.opened_offset, i.severity])).toEqual([
      ['+0s', 'SEV1'],
      ['+5m', 'SEV2'],
    ]);
    const second = report.incidents[1]?.id;
    // Leadership is paged once, for the second incident: at the first only one was open.
    const pages = report.messages.filter((m) => m.to === 'lea');
    expect(pages.map((m) => m.at_offset)).toEqual(['+5m']);
    expect(pages[0]?.text).toContain(`Incident #${second}: API is slow`);
    const link = report.steps.find((s) => s.do === 'link');
    expect(link?.note).toBe(`incident #${report.incident_id} linked with #${second}`);
    expect(report.incidents.map((i) => i.merged_into)).toEqual([null, null]);
  });

  it('merges the drill’s incident into the second one: resolved as merged, later steps act on the other', async () => {
    const report = await drill('alerting.yaml', 'alerting-merge.yaml');
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    const [first, second] = report.incidents;
    expect(report.incident_id).toBe(first?.id);
    expect(report.steps.find((s) => s.do === 'merge')?.note).toBe(
      `incident #${first?.id} merged into #${second?.id}`,
    );
    expect(first).toMatchObject({ state: 'resolved', merged_into: second?.id });
    expect(second).toMatchObject({ state: 'resolved', merged_into: null });
    // Merging resolved the drill's incident at 6 minutes: its resolve target is met then.
    expect(report.targets.find((t) => t.target === 'resolve')).toMatchObject({
      verdict: 'met',
      met_offset: '+6m',
    });
    expect(report.passed).toBe(true);
  });

  it('refuses a merge or link step without the other incident, and one naming an incident never opened', async () => {
    const missing = loadScenario('steps: [{ at: "0", do: declare }, { at: 1m, do: merge }]', 'bad.yaml');
    expect(missing.errors.map((e) => e.message)).toEqual([
      expect.stringContaining('a merge step needs `into: N`'),
    ]);
    const d = await freshDb();
    dbs.push(d);
    const scenario = loadScenario(
      'steps: [{ at: "0", do: declare }, { at: 1m, do: link, with: 3 }, { at: 2m, do: resolve }]',
      'bad.yaml',
    ).scenario;
    const report = await runDrill(
      d.db,
      {
        planSource: readFileSync('examples/plans/alerting.yaml', 'utf8'),
        planFile: 'alerting.yaml',
        scenario,
      },
      drillEngine,
    );
    expect(report.steps.filter((s) => !s.ok).map((s) => [s.do, s.error])).toEqual([
      ['link', 'link: the drill opened 1 incident(s), not 3'],
    ]);
  });
});
