import type { Command } from 'commander';
import type { FrequencyReport } from '../domain/reports/frequency.ts';
import type { GoalsReport } from '../domain/reports/goals.ts';
import type { OnCallLoadReport } from '../domain/reports/oncall-load.ts';
import {
  type ComplianceRow,
  complianceCsv,
  frequencyCsv,
  type GoalRow,
  goalsCsv,
  METRICS,
  type MetricStats,
  type MetricsRow,
  metricsCsv,
  type OnCallLoadRow,
  onCallLoadCsv,
  rootCausesCsv,
} from '../domain/reports/reports.ts';
import type { RootCauseReport } from '../domain/reports/root-causes.ts';
import { formatDuration, parseDuration } from '../lib/duration.ts';
import { ApiClient } from './client.ts';
import { type CommonOpts, withCommon } from './common.ts';
import { printJson, printTable } from './output.ts';

// tocsin report metrics|compliance|goals: response times, target compliance and the plan's goals
// over a period, as a table, JSON or CSV.

interface PeriodOpts extends CommonOpts {
  from?: string;
  to?: string;
  since?: string;
  plan?: string;
  csv?: boolean;
  includeExercises?: boolean;
}

const periodOptions = (c: Command) =>
  withCommon(
    c
      .option('--from <time>', 'start of the period, ISO 8601 (incidents declared at or after)')
      .option('--to <time>', 'end of the period, ISO 8601 (default: now)')
      .option('--since <duration>', 'the period ending now, e.g. 30d or 12w (instead of --from)')
      .option('--plan <name>', "only this plan's incidents, judged by its goals")
      .option('--include-exercises', 'count the incidents of exercises too (left out by default)')
      .option('--csv', 'print CSV'),
  );

function query(o: PeriodOpts, extra: Record<string, string | undefined> = {}): string {
  const from = o.since ? new Date(Date.now() - parseDuration(o.since)).toISOString() : o.from;
  const include = o.includeExercises ? 'true' : undefined;
  const q = Object.entries({ from, to: o.to, plan: o.plan, include_exercises: include, ...extra }).filter(
    (e): e is [string, string] => e[1] !== undefined,
  );
  return new URLSearchParams(q).toString();
}

const dur = (ms: number | null) => (ms === null ? '-' : formatDuration(Math.round(ms / 1000) * 1000));
const stat = (s: MetricStats) =>
  s.count === 0 ? '-' : `${dur(s.mean_ms)} / ${dur(s.median_ms)} / ${dur(s.p90_ms)}`;

function printMetrics(rows: MetricsRow[]): void {
  printTable(
    ['by', 'group', 'incidents', 'resolved', ...METRICS.map((m) => `${m} mean/median/p90`)],
    rows.map((r) => [
      r.group_by,
      r.group ?? (r.group_by === 'all' ? '' : '(none)'),
      r.incidents,
      r.resolved,
      ...METRICS.map((m) => stat(r[m])),
    ]),
  );
}

function printCompliance(rows: ComplianceRow[]): void {
  printTable(
    ['target', 'severity', 'met', 'breached', 'pending', 'rate'],
    rows.map((r) => [
      r.target,
      r.severity ?? 'all',
      r.met,
      r.breached,
      r.pending,
      r.rate === null ? '-' : `${(r.rate * 100).toFixed(1)}%`,
    ]),
  );
}

function printGoals(report: GoalsReport): void {
  if (report.goals.length === 0) {
    process.stdout.write(
      report.plan ? `Plan ${report.plan} sets no goals.\n` : 'Name a plan (--plan) to judge its goals.\n',
    );
    return;
  }
  const show = (g: GoalRow, v: number | null) =>
    v === null ? '-' : g.goal === 'maxPerQuarter' ? String(v) : dur(v);
  printTable(
    ['goal', 'severity', 'target', 'actual', 'met', 'measured'],
    report.goals.map((g) => [
      g.goal,
      g.severity ?? 'all',
      show(g, g.target),
      show(g, g.actual),
      g.met === null ? 'no data' : g.met ? 'yes' : 'NO',
      g.description,
    ]),
  );
}

function printFrequency(r: FrequencyReport): void {
  const severities = [...new Set(r.buckets.flatMap((b) => Object.keys(b.by_severity)))].sort();
  printTable(
    [r.bucket, 'incidents', ...severities],
    r.buckets.map((b) => [
      String(b.start).slice(0, r.bucket === 'week' ? 10 : 7),
      b.incidents,
      ...severities.map((s) => b.by_severity[s] ?? 0),
    ]),
  );
}

function printRootCauses(r: RootCauseReport): void {
  printTable(
    ['root cause', 'incidents'],
    [
      ...r.categories.map((c) => [c.category, c.incidents]),
      ['(uncategorised)', r.uncategorised],
      ['(no post-mortem)', r.without_postmortem],
    ],
  );
}

function printOnCallLoad(rows: OnCallLoadRow[]): void {
  printTable(
    ['user', 'name', 'time zone', 'pages', 'night pages', 'hours on call'],
    rows.map((r) => [r.user, r.name, r.time_zone, r.pages, r.night_pages, r.hours_on_call]),
  );
}

export function registerReport(program: Command): void {
  const report = program
    .command('report')
    .description('Response metrics, target compliance and goals over a period (table, JSON or CSV)')
    .addHelpText(
      'after',
      `
Examples:
  npx tocsin report metrics --since 90d
  npx tocsin report compliance --plan job-application-platform --from 2026-01-01T00:00:00Z --to 2026-04-01T00:00:00Z
  npx tocsin report goals --plan job-application-platform
  npx tocsin report metrics --since 30d --csv > metrics.csv
  npx tocsin report frequency --since 26w --bucket month
  npx tocsin report root-causes --plan job-application-platform --json
  npx tocsin report oncall-load --since 30d --csv > load.csv
  npx tocsin report metrics --since 90d --include-exercises

Exercise incidents (tocsin exercise) are left out unless --include-exercises. Night pages are pages
received between 22:00 and 07:00 in the paged person's own time zone.`,
    );
  periodOptions(
    report
      .command('metrics')
      .description('MTTD, MTTA, MTTR (mean / median / p90) overall and per severity, service, team'),
  ).action(async (o: PeriodOpts) => {
    const r = await new ApiClient({ url: o.url }).get<{ rows: MetricsRow[] }>(
      `/api/v1/reports/metrics?${query(o)}`,
    );
    if (o.json) printJson(r);
    else if (o.csv) process.stdout.write(metricsCsv(r.rows));
    else printMetrics(r.rows);
  });
  periodOptions(
    report.command('compliance').description("How often each of the plan's targets was met"),
  ).action(async (o: PeriodOpts) => {
    const r = await new ApiClient({ url: o.url }).get<{ rows: ComplianceRow[] }>(
      `/api/v1/reports/compliance?${query(o)}`,
    );
    if (o.json) printJson(r);
    else if (o.csv) process.stdout.write(complianceCsv(r.rows));
    else printCompliance(r.rows);
  });
  periodOptions(report.command('goals').description("The plan's goals, met or not")).action(
    async (o: PeriodOpts) => {
      const r = await new ApiClient({ url: o.url }).get<GoalsReport>(`/api/v1/reports/goals?${query(o)}`);
      if (o.json) printJson(r);
      else if (o.csv) process.stdout.write(goalsCsv(r.goals));
      else printGoals(r);
    },
  );
  periodOptions(
    report
      .command('frequency')
      .description('Incidents declared per week or month, in all and per severity')
      .option('--bucket <week|month>', 'week (from Monday, UTC) or month', 'week'),
  ).action(async (o: PeriodOpts & { bucket: string }) => {
    const r = await new ApiClient({ url: o.url }).get<FrequencyReport>(
      `/api/v1/reports/frequency?${query(o, { bucket: o.bucket })}`,
    );
    if (o.json) printJson(r);
    else if (o.csv) process.stdout.write(frequencyCsv(r.buckets.map(dated)));
    else printFrequency(r);
  });
  periodOptions(
    report.command('root-causes').description('Incidents per root-cause category their post-mortems record'),
  ).action(async (o: PeriodOpts) => {
    const r = await new ApiClient({ url: o.url }).get<RootCauseReport>(
      `/api/v1/reports/root-causes?${query(o)}`,
    );
    if (o.json) printJson(r);
    else if (o.csv) process.stdout.write(rootCausesCsv(r));
    else printRootCauses(r);
  });
  periodOptions(
    report
      .command('oncall-load')
      .description('Per person: pages, night pages (22:00–07:00 their time), hours on call'),
  ).action(async (o: PeriodOpts) => {
    const r = await new ApiClient({ url: o.url }).get<OnCallLoadReport>(
      `/api/v1/reports/oncall-load?${query(o)}`,
    );
    if (o.json) printJson(r);
    else if (o.csv) process.stdout.write(onCallLoadCsv(r.rows));
    else printOnCallLoad(r.rows);
  });
}

/** A bucket as the wire sends it (times as text) with its times as dates again. */
const dated = (b: FrequencyReport['buckets'][number]) => ({
  ...b,
  start: new Date(b.start),
  end: new Date(b.end),
});
