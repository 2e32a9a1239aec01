import { readdirSync, readFileSync } from 'node:fs';
import { loadScenario } from '../../src/domain/drills/report.ts';
import { type DrillInput, type DrillReport, runDrill } from '../../src/domain/drills/run-drill.ts';
import { loadPlan } from '../../src/domain/plans/plan.ts';
import { drillEngine } from '../../src/engine/drill-engine.ts';
import { freshDb } from '../helpers.ts';

// What the drill smoke files share (drills.test.ts: every plan's default drills; drill-scenarios.test.ts:
// the scenarios under examples/drills/). Two files, so two workers run the ~60 drills side by side.
export const planFiles = readdirSync('examples/plans')
  .filter((f) => f.endsWith('.yaml'))
  .sort();
export const scenarioFiles = readdirSync('examples/drills')
  .filter((f) => f.endsWith('.yaml'))
  .sort();

export function planSource(file: string): string {
  return readFileSync(`examples/plans/${file}`, 'utf8');
}

export const severityCases = planFiles.flatMap((file) => {
  const { plan, errors } = loadPlan(planSource(file), file);
  if (!plan) throw new Error(`${file} is not a valid plan: ${JSON.stringify(errors)}`);
  return plan.severities.map((s) => [file, s.id] as const);
});

/**
 * Runs a drill on its own fresh database, closed and dropped as soon as the drill has reported: held to
 * the end of the file, the pools of some 60 drills kept their connections open for the whole file.
 */
export async function drill(input: DrillInput): Promise<DrillReport> {
  const d = await freshDb();
  try {
    return await runDrill(d.db, input, drillEngine);
  } finally {
    await d.close();
  }
}

/** The plan a scenario drills: the longest example plan name its file name starts with. */
export function planOf(scenarioFile: string): string {
  const plan = planFiles
    .map((f) => f.replace(/\.yaml$/, ''))
    .filter((p) => scenarioFile.startsWith(`${p}-`))
    .sort((a, b) => b.length - a.length)[0];
  if (!plan) throw new Error(`${scenarioFile}: no example plan matches; name it <plan>-<word>.yaml`);
  return plan;
}

/** Target and cadence names that ended breached, e.g. ["acknowledge", "cadence.internal"]. */
export function breachedOf(report: DrillReport): string[] {
  return [
    ...report.targets.filter((t) => t.verdict === 'breached').map((t) => t.target),
    ...report.cadence.filter((c) => c.verdict === 'breached').map((c) => `cadence.${c.audience}`),
  ].sort();
}

/** Audiences the engine recorded an overdue update for while the drill ran. */
export function overdueAudiences(report: DrillReport): string[] {
  const audiences = report.workflows.flatMap((w) => /^overdue:(\w+):/.exec(w.trigger)?.[1] ?? []);
  return [...new Set(audiences)].sort();
}

/** Drills the scenario file under examples/drills/ on the example plan it is named after (planOf). */
export async function drillScenario(file: string): Promise<DrillReport> {
  const { scenario, errors } = loadScenario(readFileSync(`examples/drills/${file}`, 'utf8'), file);
  if (!scenario || errors.length > 0) throw new Error(`${file}: ${JSON.stringify(errors)}`);
  const plan = `${planOf(file)}.yaml`;
  return drill({ planSource: planSource(plan), planFile: plan, scenario });
}
