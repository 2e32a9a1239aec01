import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { loadPlan } from '../domain/plans/plan.ts';
import type { ReplayIncident, ReplayReport } from '../domain/replay/replay.ts';
import { formatSourceError } from '../lib/yaml-source.ts';
import { ApiClient } from './client.ts';
import { exitWhenDrained, printJson, progress } from './output.ts';

// tocsin plan replay NEW.yaml --since 90d: the plan's past incidents replayed on the server under the
// changed file (POST /api/v1/plans/:name/replay), asked for a batch at a time so a long run shows
// its progress on stderr; the totals are added up here over every batch.

interface ReplayOpts {
  since: string;
  batch: string;
  url?: string;
  json?: boolean;
  quiet?: boolean;
}

export function registerReplay(plan: Command): void {
  plan
    .command('replay')
    .description(
      "What-if: replay the plan's past incidents under a changed plan file on the virtual clock and report who would have been paged, which targets breached and the metrics, before you apply it",
    )
    .argument(
      '<file>',
      'the changed plan (YAML); its metadata.name names the stored plan whose incidents replay',
    )
    .option('--since <duration>', 'incidents declared this long ago or later (e.g. 30d, 12w)', '90d')
    .option('--batch <n>', 'incidents the server replays per request (1–100)', '10')
    .option('--json', 'print the report as JSON')
    .option('-q, --quiet', 'no progress lines')
    .option('--url <url>', 'Tocsin server (default TOCSIN_URL)')
    .addHelpText(
      'after',
      `
Each incident runs again in a throwaway database on the server (the people and on-call setup
copied in): the people's actions (acknowledge, triage, state changes, notes, updates, approvals,
resolve) come at the times they happened, and the changed plan decides the pages, escalations,
targets and workflows. Nothing touches the live data. Needs a manager's token (TOCSIN_TOKEN).

Examples:
  tocsin plan replay plans/checkout.yaml --since 90d
  tocsin plan replay plans/checkout.yaml --since 30d --json | jq '.totals'
  tocsin plan replay plans/checkout.yaml --url http://127.0.0.1:8080 --batch 25`,
    )
    .action(async (file: string, opts: ReplayOpts) => {
      const source = readFileSync(file, 'utf8');
      const loaded = loadPlan(source, file);
      if (!loaded.plan) {
        for (const e of loaded.errors) process.stderr.write(`${formatSourceError(e)}\n`);
        return exitWhenDrained(1);
      }
      const report = await replayAll(new ApiClient({ url: opts.url }), loaded.plan.metadata.name, {
        source,
        file: basename(file),
        since: opts.since,
        limit: Number(opts.batch),
        say: opts.quiet ? () => {} : progress,
      });
      if (opts.json) printJson(report);
      else {
        const { formatReplayReport } = await import('../domain/replay/replay.ts');
        process.stdout.write(`${formatReplayReport(report)}\n`);
      }
    });
}

/** Asks for batch after batch until the server says none remain; the totals are over all of them. */
async function replayAll(
  client: ApiClient,
  name: string,
  o: { source: string; file: string; since: string; limit: number; say: (m: string) => void },
): Promise<ReplayReport> {
  const { replayTotals } = await import('../domain/replay/replay.ts');
  const incidents: ReplayIncident[] = [];
  let after: string | undefined;
  let last: ReplayReport | undefined;
  do {
    o.say(`replaying incidents of ${name} under ${o.file}: ${incidents.length} done`);
    const { report } = await client.post<{ report: ReplayReport }>(
      `/api/v1/plans/${encodeURIComponent(name)}/replay`,
      { source: o.source, file: o.file, since: o.since, limit: o.limit, ...(after ? { after } : {}) },
    );
    incidents.push(...report.incidents);
    o.say(`replayed ${incidents.length} of ${report.total} incident(s)`);
    last = report;
    after = report.next ?? undefined;
  } while (after);
  if (process.stderr.isTTY) process.stderr.write('\n');
  return { ...last, incidents, totals: replayTotals(incidents), next: null };
}
