import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/domain/drills/report.ts';
import { runDrill } from '../../src/domain/drills/run-drill.ts';
import { freshDb, type TestDb } from '../helpers.ts';

// Every example plan passes its default drill (all targets met); each breach scenario under
// examples/drills/ reports exactly the targets it is written to miss.
const plans = readdirSync('examples/plans').filter((f) => f.endsWith('.yaml'));
const scenarios = readdirSync('examples/drills').filter((f) => f.endsWith('.yaml'));

let dbs: TestDb[] = [];
beforeAll(() => {
  dbs = [];
});
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.close()));
});

async function db() {
  const d = await freshDb();
  dbs.push(d);
  return d.db;
}

describe('drills of the example plans', () => {
  it.each(plans)('%s meets every target in its default drill', async (file) => {
    const report = await runDrill(await db(), {
      planSource: readFileSync(`examples/plans/${file}`, 'utf8'),
      planFile: file,
    });
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.targets.length).toBeGreaterThan(0);
    expect(report.targets.filter((t) => t.verdict !== 'met')).toEqual([]);
    expect(report.passed).toBe(true);
  });

  it.each(scenarios)('%s reports the breaches it scripts', async (file) => {
    const text = readFileSync(`examples/drills/${file}`, 'utf8');
    const { scenario, errors } = loadScenario(text, file);
    expect(errors).toEqual([]);
    // The scenario's first comment line names the expected breaches: "# expect: breached acknowledge, firstUpdate"
    const planName = file.replace(/-[a-z]+\.yaml$/, '');
    const expected = (/^# expect: breached (.+)$/m.exec(text)?.[1] ?? '').split(',').map((s) => s.trim());
    const report = await runDrill(await db(), {
      planSource: readFileSync(`examples/plans/${planName}.yaml`, 'utf8'),
      planFile: `${planName}.yaml`,
      scenario,
    });
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    const breached = [
      ...report.targets.filter((t) => t.verdict === 'breached').map((t) => t.target),
      ...report.cadence.filter((c) => c.verdict === 'breached').map((c) => `cadence.${c.audience}`),
    ];
    expect(breached.sort()).toEqual(expected.sort());
    expect(report.passed).toBe(false);
    // The engine recorded each target breach on the virtual clock too.
    expect(report.breaches_recorded.map((b) => b.target).sort()).toEqual(
      report.targets
        .filter((t) => t.verdict === 'breached')
        .map((t) => t.target)
        .sort(),
    );
  });
});
