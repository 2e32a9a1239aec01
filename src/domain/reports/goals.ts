import { parseDuration } from '../../lib/duration.ts';
import type { Operation } from '../context.ts';
import { periodOf, type ReportInput, reportScope } from './period.ts';
import * as q from './queries.ts';
import { definitionsOf, type GoalRow, METRICS, type MetricsRow, type Period } from './reports.ts';
import { getResponseMetrics } from './response-metrics.ts';

export interface GoalsReport {
  period: Period;
  plan: string | null;
  goals: GoalRow[];
}

const judge = (actual: number | null, target: number): boolean | null =>
  actual === null ? null : actual <= target;

/**
 * The plan's goals judged over the period: each mean-time goal against the mean of that metric (for
 * every severity, or per severity), and maxPerQuarter against the busiest calendar quarter.
 */
export async function getGoals({ ctx, input }: Operation<ReportInput>): Promise<GoalsReport> {
  ctx.require('read');
  const scope = await reportScope(ctx, input);
  const period = periodOf(scope);
  const plan = scope.planSpec;
  const goals = plan?.goals;
  if (!plan || !goals) return { period, plan: plan?.metadata.name ?? null, goals: [] };
  const metrics = await getResponseMetrics({ ctx, input: { ...input, plan: plan.metadata.name } });
  const overall = metrics.rows.find((r) => r.group_by === 'all');
  const severityRow = (s: string): MetricsRow | undefined =>
    metrics.rows.find((r) => r.group_by === 'severity' && r.group === s);
  const defs = definitionsOf(plan);
  const out: GoalRow[] = [];
  for (const m of METRICS) {
    const goal = goals[m];
    if (!goal) continue;
    const description = goal.description ?? `${m.toUpperCase()}: ${defs[m].from} → ${defs[m].to}`;
    if (goal.target) {
      const target = parseDuration(goal.target);
      const actual = overall?.[m].mean_ms ?? null;
      out.push({ goal: m, severity: null, description, target, actual, met: judge(actual, target) });
    }
    for (const [severity, d] of Object.entries(goal.bySeverity ?? {})) {
      const target = parseDuration(d);
      const actual = severityRow(severity)?.[m].mean_ms ?? null;
      out.push({ goal: m, severity, description, target, actual, met: judge(actual, target) });
    }
  }
  const perQuarter = Object.entries(goals.maxPerQuarter ?? {});
  if (perQuarter.length > 0) {
    const counts = await q.countsPerQuarter(ctx.db, { ...scope, plan: plan.metadata.name });
    for (const [severity, max] of perQuarter) {
      const busiest = Math.max(0, ...counts.filter((c) => c.severity === severity).map((c) => Number(c.n)));
      out.push({
        goal: 'maxPerQuarter',
        severity,
        description: `at most ${max} ${severity} incidents per quarter`,
        target: max,
        actual: busiest,
        met: busiest <= max,
      });
    }
  }
  return { period, plan: plan.metadata.name, goals: out };
}
