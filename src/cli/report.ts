import type { Command } from 'commander';
import type { GoalsReport } from '../domain/reports/goals.ts';
import {
  type ComplianceRow,
  complianceCsv,
  type GoalRow,
  goalsCsv,
  METRICS,
  type MetricStats,
  type MetricsRow,
  metricsCsv,
} from '../domain/reports/reports.ts';
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
}

const periodOptions = (c: Command) =>
  withCommon(
    c
      .option('--from <time>', 'start of the period, ISO 8601 (incidents declared at or after)')
      .option('--to <time>', 'end of the period, ISO 8601 (default: now)')
      .option('--since <duration>', 'the period ending now, e.g. 30d or 12w (instead of --from)')
      .option('--plan <name>', "only this plan's incidents, judged by its goals")
      .option('--csv', 'print CSV'),
  );

function query(o: PeriodOpts): string {
  const from = o.since ? new Date(Date.now() - parseDuration(o.since)).toISOString() : o.from;
  const q = Object.entries({ from, to: o.to, plan: o.plan }).filter(
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
  npx tocsin report metrics --since 30d --csv > metrics.csv`,
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
}
