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
  });
});
