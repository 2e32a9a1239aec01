import type { Operation } from '../context.ts';
import { periodOf, type ReportInput, reportScope } from './period.ts';
import * as q from './queries.ts';
import {
  definitionsOf,
  type Grouping,
  METRICS,
  type Metric,
  type MetricDefinition,
  type MetricStats,
  type MetricsRow,
  type Period,
} from './reports.ts';

export interface MetricsReport {
  period: Period;
  definitions: Record<Metric, MetricDefinition>;
  rows: MetricsRow[];
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function groupOf(r: q.MetricsSqlRow): { group_by: Grouping; group: string | null } {
  if (Number(r.g_severity) === 0) return { group_by: 'severity', group: r.severity };
  if (Number(r.g_service) === 0) return { group_by: 'service', group: r.service };
  if (Number(r.g_team) === 0) return { group_by: 'team', group: r.team };
  return { group_by: 'all', group: null };
}

function statsOf(r: q.MetricsSqlRow, m: Metric): MetricStats {
  return {
    count: Number(r[`${m}_n`]),
    mean_ms: num(r[`${m}_mean`]),
    median_ms: num(r[`${m}_median`]),
    p90_ms: num(r[`${m}_p90`]),
  };
}

/**
 * MTTD, MTTA and MTTR (mean, median, 90th percentile) over the incidents declared in the period:
 * for all of them and per severity, service and team. Each metric starts and stops where the plan's
 * goals say (goals.<metric>.from/to), else as DEFAULT_DEFINITIONS.
 */
export async function getResponseMetrics({ ctx, input }: Operation<ReportInput>): Promise<MetricsReport> {
  ctx.require('read');
  const scope = await reportScope(ctx, input);
  const definitions = definitionsOf(scope.planSpec);
  const raw = await q.responseMetrics(ctx.db, scope, definitions);
  const rows = raw.map((r) => ({
    ...groupOf(r),
    incidents: Number(r.incidents),
    resolved: Number(r.resolved),
    ...(Object.fromEntries(METRICS.map((m) => [m, statsOf(r, m)])) as Record<Metric, MetricStats>),
  }));
  return { period: periodOf(scope), definitions, rows };
}
