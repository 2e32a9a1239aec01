import { z } from 'zod';
import type { Plan } from '../plans/plan.ts';

// Reports: how fast a team detects, acknowledges and resolves incidents over a period, how often it
// meets its plan's targets, and whether it meets the goals its plan sets. The heavy lifting is SQL
// (queries.ts) so a quarter of 100,000 incidents is one pass over the rows.

export const METRICS = ['mttd', 'mtta', 'mttr'] as const;
export type Metric = (typeof METRICS)[number];

/** Moments of an incident a metric can start or stop at. */
export const MOMENTS = ['detected', 'declared', 'acknowledged', 'triaged', 'mitigated', 'resolved'] as const;
export type Moment = (typeof MOMENTS)[number];

export interface MetricDefinition {
  from: Moment;
  to: Moment;
}

/**
 * Where each metric starts and stops unless the plan's goals say otherwise (goals.<metric>.from/to):
 * detection is the time the source says the problem started (else the declaration). Reports and
 * drills (drills/judge.ts) both measure this way.
 */
export const DEFAULT_DEFINITIONS: Record<Metric, MetricDefinition> = {
  mttd: { from: 'detected', to: 'declared' },
  mtta: { from: 'declared', to: 'acknowledged' },
  mttr: { from: 'declared', to: 'resolved' },
};

export function definitionsOf(plan: Plan | undefined): Record<Metric, MetricDefinition> {
  const out = { ...DEFAULT_DEFINITIONS };
  for (const m of METRICS) {
    const goal = plan?.goals?.[m];
    if (goal?.from || goal?.to) out[m] = { from: goal.from ?? out[m].from, to: goal.to ?? out[m].to };
  }
  return out;
}

export const GROUPINGS = ['all', 'severity', 'service', 'team'] as const;
export type Grouping = (typeof GROUPINGS)[number];

export interface MetricStats {
  count: number;
  mean_ms: number | null;
  median_ms: number | null;
  p90_ms: number | null;
}

export interface MetricsRow {
  group_by: Grouping;
  /** The severity, service or team; null for "all" (or incidents without a service / team). */
  group: string | null;
  incidents: number;
  resolved: number;
  mttd: MetricStats;
  mtta: MetricStats;
  mttr: MetricStats;
}

export interface ComplianceRow {
  target: string;
  /** null: every severity together. */
  severity: string | null;
  met: number;
  breached: number;
  pending: number;
  /** met / (met + breached); null when nothing was decided yet. */
  rate: number | null;
}

export interface GoalRow {
  goal: string;
  severity: string | null;
  description: string;
  /** The target (a duration in ms, or the most incidents per quarter). */
  target: number;
  /** The measured value (the mean in ms, or the most incidents in one quarter of the period). */
  actual: number | null;
  /** null: nothing to judge in the period. */
  met: boolean | null;
}

export interface Period {
  from: Date;
  to: Date;
  plan: string | null;
  /** Exercise incidents (declared by `tocsin exercise`) are counted only when asked for. */
  include_exercises: boolean;
}

export const reportQuerySchema = z.strictObject({
  from: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('start of the period (declared at or after); default: to − 90 days'),
  to: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('end of the period (declared before); default: now'),
  plan: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .optional()
    .describe(
      "only this plan's incidents; its goals and metric definitions apply (default: the only plan, if one)",
    ),
  include_exercises: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe('true: count the incidents of exercises too (left out by default)'),
  format: z.enum(['json', 'csv']).default('json'),
});
export type ReportQuery = z.infer<typeof reportQuerySchema>;

const DAY = 24 * 60 * 60_000;
export const DEFAULT_PERIOD_MS = 90 * DAY;

// --- CSV -------------------------------------------------------------------------------------------

/** One CSV field: quoted when it holds a comma, quote or line break; formulas defused (=, +, -, @). */
function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v);
  if (typeof v === 'string' && /^[=+\-@]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(headers: string[], rows: unknown[][]): string {
  const lines = [headers, ...rows].map((r) => r.map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

export function metricsCsv(rows: MetricsRow[]): string {
  const headers = ['group_by', 'group', 'incidents', 'resolved'];
  for (const m of METRICS) headers.push(`${m}_count`, `${m}_mean_s`, `${m}_median_s`, `${m}_p90_s`);
  return toCsv(
    headers,
    rows.map((r) => [
      r.group_by,
      r.group,
      r.incidents,
      r.resolved,
      ...METRICS.flatMap((m) => [
        r[m].count,
        seconds(r[m].mean_ms),
        seconds(r[m].median_ms),
        seconds(r[m].p90_ms),
      ]),
    ]),
  );
}

export function complianceCsv(rows: ComplianceRow[]): string {
  return toCsv(
    ['target', 'severity', 'met', 'breached', 'pending', 'rate'],
    rows.map((r) => [r.target, r.severity, r.met, r.breached, r.pending, r.rate]),
  );
}

export function goalsCsv(rows: GoalRow[]): string {
  return toCsv(
    ['goal', 'severity', 'description', 'target', 'actual', 'met'],
    rows.map((r) => [r.goal, r.severity, r.description, r.target, r.actual, r.met]),
  );
}

// --- trends, root causes, on-call load --------------------------------------------------------------

export const BUCKETS = ['week', 'month'] as const;
export type Bucket = (typeof BUCKETS)[number];

export const frequencyQuerySchema = reportQuerySchema.extend({
  bucket: z.enum(BUCKETS).default('week').describe('week (from Monday 00:00 UTC) or calendar month (UTC)'),
});

export interface FrequencyBucket {
  start: Date;
  end: Date;
  incidents: number;
  /** Incidents per severity id (only severities with incidents in the bucket). */
  by_severity: Record<string, number>;
}

export function frequencyCsv(buckets: FrequencyBucket[]): string {
  const severities = [...new Set(buckets.flatMap((b) => Object.keys(b.by_severity)))].sort();
  return toCsv(
    ['bucket_start', 'bucket_end', 'incidents', ...severities],
    buckets.map((b) => [
      b.start.toISOString(),
      b.end.toISOString(),
      b.incidents,
      ...severities.map((s) => b.by_severity[s] ?? 0),
    ]),
  );
}

export interface RootCauseRow {
  category: string;
  incidents: number;
}

export function rootCausesCsv(r: {
  categories: RootCauseRow[];
  uncategorised: number;
  without_postmortem: number;
}): string {
  return toCsv(
    ['category', 'incidents'],
    [
      ...r.categories.map((c) => [c.category, c.incidents]),
      ['(uncategorised)', r.uncategorised],
      ['(no post-mortem)', r.without_postmortem],
    ],
  );
}

/**
 * Night for on-call load: from 22:00 to 07:00 in the paged person's own time zone (users.time_zone).
 */
export const NIGHT = { from: 22, to: 7 } as const;

export interface OnCallLoadRow {
  user: string;
  name: string;
  time_zone: string;
  pages: number;
  /** Pages that arrived between 22:00 and 07:00 in the person's time zone. */
  night_pages: number;
  /** Hours on call in the period over every schedule (an hour on two schedules counts once). */
  hours_on_call: number;
}

export function onCallLoadCsv(rows: OnCallLoadRow[]): string {
  return toCsv(
    ['user', 'name', 'time_zone', 'pages', 'night_pages', 'hours_on_call'],
    rows.map((r) => [r.user, r.name, r.time_zone, r.pages, r.night_pages, r.hours_on_call]),
  );
}
