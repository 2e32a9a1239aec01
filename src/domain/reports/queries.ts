import { type RawBuilder, sql } from 'kysely';
import type { Executor } from '../../db/schema.ts';
import type { Metric, MetricDefinition, Moment, Period } from './reports.ts';

// The report SQL. Each statement reads the period's incidents once (index incidents_declared) and
// aggregates in PostgreSQL: means, medians and 90th percentiles with percentile_cont, groupings
// with GROUPING SETS.

const MOMENT_SQL: Record<Moment, string> = {
  detected: 'coalesce(i.detected_at, i.declared_at)',
  declared: 'i.declared_at',
  acknowledged: 'i.acknowledged_at',
  triaged: 'i.triaged_at',
  mitigated: 'i.mitigated_at',
  resolved: 'i.resolved_at',
};

/** Milliseconds between two moments (null while the later one has not happened; never negative). */
function span(d: MetricDefinition): RawBuilder<number | null> {
  // Not greatest(0, …): it skips nulls, and a metric that has not stopped must stay null.
  const ms = sql`extract(epoch from (${sql.raw(MOMENT_SQL[d.to])} - ${sql.raw(MOMENT_SQL[d.from])})) * 1000`;
  return sql`case when ${ms} < 0 then 0 else ${ms} end`;
}

type PeriodOf = Pick<Period, 'from' | 'to' | 'plan' | 'include_exercises'>;

/** The period's incidents: declared in it, of the plan if one is named, exercises only when asked. */
function periodWhere(p: PeriodOf) {
  return sql`i.declared_at >= ${p.from} and i.declared_at < ${p.to}${p.plan ? sql` and i.plan_name = ${p.plan}` : sql``}${p.include_exercises ? sql`` : sql` and not i.exercise`}`;
}

export interface MetricsSqlRow {
  g_severity: number;
  g_service: number;
  g_team: number;
  severity: string | null;
  service: string | null;
  team: string | null;
  incidents: string;
  resolved: string;
  [k: string]: unknown;
}

function stats(m: Metric) {
  return sql`count(${sql.ref(m)}) as ${sql.ref(`${m}_n`)},
    avg(${sql.ref(m)})::float8 as ${sql.ref(`${m}_mean`)},
    percentile_cont(0.5) within group (order by ${sql.ref(m)}) as ${sql.ref(`${m}_median`)},
    percentile_cont(0.9) within group (order by ${sql.ref(m)}) as ${sql.ref(`${m}_p90`)}`;
}

/** Counts and mean / median / p90 of each metric: overall and per severity, service and team. */
export async function responseMetrics(db: Executor, p: PeriodOf, defs: Record<Metric, MetricDefinition>) {
  const { rows } = await sql<MetricsSqlRow>`
    with base as (
      select i.severity, i.service, t.name as team, i.resolved_at,
        ${span(defs.mttd)} as mttd, ${span(defs.mtta)} as mtta, ${span(defs.mttr)} as mttr
      from incidents i
      left join services s on s.name = i.service
      left join teams t on t.id = s.team_id
      where ${periodWhere(p)}
    )
    select grouping(severity) as g_severity, grouping(service) as g_service, grouping(team) as g_team,
      severity, service, team, count(*) as incidents, count(resolved_at) as resolved,
      ${stats('mttd')}, ${stats('mtta')}, ${stats('mttr')}
    from base
    group by grouping sets ((), (severity), (service), (team))
    order by 1 desc, 2 desc, 3 desc, severity, service, team`.execute(db);
  return rows;
}

/** The (plan version, severity) pairs of the period's incidents: whose targets apply. */
export async function severitiesOfPeriod(db: Executor, p: PeriodOf) {
  const { rows } = await sql<{ plan_name: string; plan_version: number; severity: string }>`
    select distinct i.plan_name, i.plan_version, i.severity from incidents i where ${periodWhere(p)}`.execute(
    db,
  );
  return rows;
}

export interface TargetSpec {
  plan_name: string;
  plan_version: number;
  severity: string;
  target: string;
  ms: number;
  /** targetsFrom: severity_changed — the clock restarts at a severity change. */
  from_changed: boolean;
}

const MILESTONE_SQL: Record<string, string> = {
  acknowledge: 'i.acknowledged_at',
  triage: 'i.triaged_at',
  firstUpdate: 'i.first_update_at',
  mitigate: 'i.mitigated_at',
  resolve: 'i.resolved_at',
};
export const COMPLIANCE_TARGETS = Object.keys(MILESTONE_SQL);

/**
 * Met / breached / pending per target and severity, each target due as incidents/targets.ts
 * targetDueAt computes it: from declaration (or the last severity change under targetsFrom:
 * severity_changed), never before that change.
 */
export async function targetCompliance(db: Executor, p: PeriodOf, specs: TargetSpec[], now: Date) {
  if (specs.length === 0) return [];
  const milestone = sql.raw(
    `case t.target ${Object.entries(MILESTONE_SQL)
      .map(([k, v]) => `when '${k}' then ${v}`)
      .join(' ')} end`,
  );
  const { rows } = await sql<{
    severity: string;
    target: string;
    met: string;
    breached: string;
    pending: string;
  }>`
    with t as (
      select * from jsonb_to_recordset(${JSON.stringify(specs)}::jsonb)
        as x(plan_name text, plan_version int, severity text, target text, ms bigint, from_changed boolean)
    ),
    judged as (
      select t.severity, t.target, ${milestone} as met_at,
        case when i.severity_changed_at is null
          then i.declared_at + t.ms * interval '1 millisecond'
          else greatest(
            (case when t.from_changed then i.severity_changed_at else i.declared_at end) + t.ms * interval '1 millisecond',
            i.severity_changed_at)
        end as due_at
      from incidents i
      join t on t.plan_name = i.plan_name and t.plan_version = i.plan_version and t.severity = i.severity
      where ${periodWhere(p)}
    )
    select severity, target,
      count(*) filter (where met_at is not null and met_at <= due_at) as met,
      count(*) filter (where (met_at is not null and met_at > due_at) or (met_at is null and due_at < ${now})) as breached,
      count(*) filter (where met_at is null and due_at >= ${now}) as pending
    from judged
    group by severity, target
    order by severity, target`.execute(db);
  return rows;
}

/** Incidents per calendar quarter (UTC) and severity within the period. */
export async function countsPerQuarter(db: Executor, p: PeriodOf) {
  const { rows } = await sql<{ quarter: string; severity: string; n: string }>`
    select to_char(i.declared_at at time zone 'UTC', 'YYYY-"Q"Q') as quarter, i.severity, count(*) as n
    from incidents i where ${periodWhere(p)}
    group by 1, 2 order by 1, 2`.execute(db);
  return rows;
}

export function planNames(db: Executor) {
  return db.selectFrom('plans').select('name').orderBy('name').execute();
}

// --- trends, root causes, on-call load (issue 15 §5) ----------------------------------------------

/** Incidents per bucket (week from Monday, or calendar month; UTC) and severity within the period. */
export async function countsPerBucket(db: Executor, p: PeriodOf, bucket: 'week' | 'month') {
  const { rows } = await sql<{ start: Date; severity: string; n: string }>`
    select date_trunc(${bucket}, i.declared_at at time zone 'UTC') at time zone 'UTC' as start,
      i.severity, count(*) as n
    from incidents i where ${periodWhere(p)}
    group by 1, 2 order by 1, 2`.execute(db);
  return rows;
}

/**
 * Incidents per root-cause category their post-mortem records: category null with has_postmortem
 * true is "not categorised yet", has_postmortem false an incident without a post-mortem.
 */
export async function countsPerRootCause(db: Executor, p: PeriodOf) {
  const { rows } = await sql<{ category: string | null; has_postmortem: boolean; n: string }>`
    select pm.root_cause_category as category, pm.incident_id is not null as has_postmortem, count(*) as n
    from incidents i left join postmortems pm on pm.incident_id = i.id
    where ${periodWhere(p)}
    group by 1, 2 order by 1 nulls last, 2`.execute(db);
  return rows;
}

/**
 * Pages each person received in the period (one per escalation step that paged them, however many
 * contact methods it used: the inbox item every page leaves; shadow pages left out) and how many of
 * them arrived at night in the person's own time zone (hours [nightFrom, 24) and [0, nightTo)).
 * A named plan counts only its incidents' pages; otherwise manual pages too.
 */
export async function pagesPerPerson(db: Executor, p: PeriodOf, night: { from: number; to: number }) {
  const { rows } = await sql<{ user_id: string; n: string; night: string }>`
    select b.user_id, count(*) as n,
      count(*) filter (where extract(hour from b.created_at at time zone u.time_zone) >= ${night.from}
        or extract(hour from b.created_at at time zone u.time_zone) < ${night.to}) as night
    from inbox_items b
    join users u on u.id = b.user_id
    left join incidents i on i.id = b.incident_id
    where b.escalation_id is not null and b.dedup_key like 'esc:%' and b.dedup_key not like '%:shadow'
      and b.created_at >= ${p.from} and b.created_at < ${p.to}
      ${p.plan ? sql`and i.plan_name = ${p.plan}` : sql``}
      ${p.include_exercises ? sql`` : sql`and (i.id is null or not i.exercise)`}
    group by b.user_id`.execute(db);
  return rows;
}

export function usersByIds(db: Executor, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(['id', 'handle', 'name', 'time_zone'])
    .where('id', 'in', ids)
    .execute();
}
