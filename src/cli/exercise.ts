import type { Command } from 'commander';
import type { Exercise } from '../domain/exercises/exercises.ts';
import { ApiClient } from './client.ts';
import { type CommonOpts, withCommon } from './common.ts';
import { printJson, printTable } from './output.ts';

// tocsin exercise schedule|list|cancel: tabletop exercises and game days against a live plan.

type Wire = Omit<Exercise, 'scheduled_at' | 'started_at' | 'created_at' | 'cancelled_at' | 'failed_at'> & {
  scheduled_at: string;
  started_at: string | null;
  created_at: string;
  cancelled_at: string | null;
  failed_at: string | null;
};

/** The list's status column: what happened to it, with a failure's reason. */
function statusOf(e: Wire): string {
  if (e.started_at) return 'started';
  if (e.cancelled_at) return `cancelled by ${e.cancelled_by ?? '?'}`;
  if (e.failed_at) return `failed: ${e.failure ?? ''}`;
  return 'scheduled';
}

interface ScheduleOpts extends CommonOpts {
  plan: string;
  kind: string;
  title: string;
  severity: string;
  service?: string;
  scenario?: string;
  at?: string;
}

export function registerExercise(program: Command): void {
  const exercise = program
    .command('exercise')
    .description(
      'Tabletop exercises and game days: drills against the live plan with real paging, marked exercise',
    )
    .addHelpText(
      'after',
      `
Examples:
  npx tocsin exercise schedule --plan job-application-platform --kind game_day --severity P1 \\
      --title "Primary database fails over" --at 2026-04-02T14:00:00Z
  npx tocsin exercise schedule --plan marketing --kind tabletop --severity P2 --title "CDN outage"
  npx tocsin exercise list --plan job-application-platform --json
  npx tocsin exercise cancel 12

At its time an exercise declares an incident marked exercise under the plan's current version: it
pages as the plan says for its severity, and its title — so every page and message — starts with
[EXERCISE] (a confidential one's code name too). One whose severity left the plan by then is
marked failed with the reason (see exercise list). Reports leave exercise incidents out unless --include-exercises; the plan's readiness
report (tocsin plan check --url) counts the days since the last one.`,
    );
  withCommon(
    exercise
      .command('schedule')
      .description('Schedule an exercise (now, or at --at); managers')
      .requiredOption('--plan <name>', 'the live plan it runs against')
      .requiredOption('--kind <kind>', 'tabletop or game_day')
      .requiredOption('--title <text>', 'the scenario in a line (the incident title)')
      .requiredOption('--severity <id>', 'a severity of the plan: whom it pages')
      .option('--service <name>', 'the service it concerns')
      .option('--scenario <text>', 'what happens, for the facilitator (Markdown)')
      .option('--at <time>', 'when it starts, ISO 8601 (default: now)'),
  ).action(async (o: ScheduleOpts) => {
    const { exercise: e } = await new ApiClient({ url: o.url }).post<{ exercise: Wire }>(
      '/api/v1/exercises',
      {
        plan: o.plan,
        kind: o.kind,
        title: o.title,
        severity: o.severity,
        ...(o.service ? { service: o.service } : {}),
        ...(o.scenario ? { scenario: o.scenario } : {}),
        ...(o.at ? { scheduled_at: o.at } : {}),
      },
    );
    if (o.json) printJson(e);
    else if (e.incident_id) process.stdout.write(`exercise ${e.id} started: incident ${e.incident_id}\n`);
    else process.stdout.write(`exercise ${e.id} scheduled for ${e.scheduled_at}\n`);
  });
  withCommon(
    exercise
      .command('list')
      .description('Exercises, latest first')
      .option('--plan <name>', "only this plan's"),
  ).action(async (o: CommonOpts & { plan?: string }) => {
    const q = o.plan ? `?plan=${encodeURIComponent(o.plan)}` : '';
    const { exercises } = await new ApiClient({ url: o.url }).get<{ exercises: Wire[] }>(
      `/api/v1/exercises${q}`,
    );
    if (o.json) printJson(exercises);
    else
      printTable(
        ['id', 'plan', 'kind', 'severity', 'scheduled', 'incident', 'title', 'status'],
        exercises.map((e) => [
          e.id,
          e.plan_name,
          e.kind,
          e.severity,
          e.scheduled_at,
          e.incident_id ?? '-',
          e.title,
          statusOf(e),
        ]),
      );
  });
  withCommon(
    exercise
      .command('cancel')
      .description('Cancel a scheduled exercise before it starts; managers')
      .argument('<id>', 'the exercise id (exercise list)'),
  ).action(async (id: string, o: CommonOpts) => {
    const { exercise: e } = await new ApiClient({ url: o.url }).post<{ exercise: Wire }>(
      `/api/v1/exercises/${encodeURIComponent(id)}/cancel`,
      {},
    );
    if (o.json) printJson(e);
    else process.stdout.write(`exercise ${e.id} cancelled\n`);
  });
}
