import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadEnv } from '../config/env.ts';
import type { Scenario } from '../domain/drills/scenario.ts';
import { formatSourceError } from '../lib/yaml-source.ts';
import { exitWhenDrained, printJson, progress } from './output.ts';

// Exit codes: 0 every target met, 3 some breached (the report says which), 1 the drill could not run.
export const DRILL_BREACHED_EXIT = 3;

export function registerDrill(program: Command): void {
  program
    .command('drill')
    .description('Run a scripted incident through a plan on a virtual clock and report every target')
    .argument('<plan>', 'plan file (YAML)')
    .option('--scenario <file>', 'drill scenario (YAML); default: one that meets every target')
    .option('--severity <id>', 'severity to drill (default: the scenario’s, else the plan’s first)')
    .option('--json', 'print the report as JSON')
    .option('-q, --quiet', 'no progress lines')
    .addHelpText(
      'after',
      `
The drill uses a throwaway database (a temporary embedded PostgreSQL, or a fresh database on
DATABASE_URL) and the real operations and engine; nothing touches your data.

Examples:
  tocsin drill examples/plans/creator-platform.yaml
  tocsin drill examples/plans/marketing-platform.yaml --severity P2 --json
  tocsin drill examples/plans/story-generation.yaml --scenario examples/drills/story-generation-upgraded.yaml`,
    )
    .action(
      async (
        planFile: string,
        opts: { scenario?: string; severity?: string; json?: boolean; quiet?: boolean },
      ) => {
        // Loaded here, not at the top: other commands (and --help) need none of the drill machinery.
        const { formatDrillReport, loadScenario } = await import('../domain/drills/report.ts');
        const planSource = readFileSync(planFile, 'utf8');
        let scenario: Scenario | undefined;
        if (opts.scenario) {
          const loaded = loadScenario(readFileSync(opts.scenario, 'utf8'), opts.scenario);
          if (!loaded.scenario) {
            for (const e of loaded.errors) process.stderr.write(`${formatSourceError(e)}\n`);
            return exitWhenDrained(1);
          }
          scenario = loaded.scenario;
        }
        const input = { planSource, planFile, scenario, severity: opts.severity };
        // Loaded when a drill runs: the engine and the store are not needed to start other commands.
        const [{ planDrill, runDrill }, { openThrowawayStore }, { drillEngine }] = await Promise.all([
          import('../domain/drills/run-drill.ts'),
          import('../domain/drills/throwaway-store.ts'),
          import('../engine/drill-engine.ts'),
        ]);
        // A plan or severity that cannot drill fails here, before a throwaway store is started.
        planDrill(input);
        const say = opts.quiet || opts.json ? () => {} : (m: string) => progress(m);
        say(`starting a throwaway store for the drill of ${planFile}`);
        const store = await openThrowawayStore(loadEnv().DATABASE_URL);
        try {
          const report = await runDrill(store.db, input, drillEngine, say);
          if (opts.json) printJson(report);
          else process.stdout.write(`${formatDrillReport(report)}\n`);
          // A step the plan refused means the scenario itself is wrong: that is an error, not a breach.
          const stepFailed = report.steps.some((step) => !step.ok);
          process.exitCode = stepFailed ? 1 : report.passed ? 0 : DRILL_BREACHED_EXIT;
        } finally {
          await store.close();
        }
      },
    );
}
