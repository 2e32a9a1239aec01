import { type RawBuilder, sql } from 'kysely';
import type { Executor } from '../../db/schema.ts';
import { buildingDb, StatementShapes } from '../../db/statement-shapes.ts';

// The SQL of the alert-rules module: which alerts await a decision, the decision itself, the open
// incidents alerts may join, and the alerts that fed an incident.

/**
 * Undecided alerts, oldest first, locked: those not waiting out a grace period (or already
 * resolved, which ends the wait). SKIP LOCKED so an ingest or a person holding one does not stall
 * the engine; it is decided on a later tick. Only the columns the rules read: an alert's payload
 * (details, links, images, raw — most of its bytes) is never fetched and parsed to be routed.
 *
 * The queue alerts_undecided (migration 0740) says which alerts to look at, in the order they were
 * inserted (ids); routed_at, checked on the locked alert, says whether one is still undecided. The
 * alert is looked up (and locked) in a lateral subquery, one queue entry after the other, so the
 * plan walks the queue and stops at `limit`: joined plainly, the planner may instead walk every
 * alert ever received in id order (the ids being equal) and filter out the decided ones.
 *
 * suppressed_until, the same on every row (evaluated once): when the last suppressing window or
 * silence that has begun ends (or ended). The tick reads the suppressions themselves only when that
 * is after its oldest alert was first seen, instead of in a statement of its own every tick.
 */
export async function claimUndecided(db: Executor, now: Date, limit: number) {
  const { rows } = await db.executeQuery(claimStatements.compiled('', [{ now, limit }]));
  // One object an alert, of one shape, with its instants as Dates made from milliseconds: pg parses a
  // timestamptz's text at ~1.5 µs (postgres-date), 2–5 of them an alert.
  return rows.map((r) => ({
    id: r.id,
    service_id: r.service_id,
    dedup_key: r.dedup_key,
    status: r.status,
    summary: r.summary,
    source: r.source,
    severity: r.severity,
    component: r.component,
    alert_group: r.alert_group,
    alert_class: r.alert_class,
    labels: r.labels ?? {},
    started_at: dateOf(r.started_ms),
    first_seen_at: new Date(r.first_seen_ms),
    resolved_at: dateOf(r.resolved_ms),
    route_after: dateOf(r.route_after_ms),
    detached_from: r.detached_from,
    service: r.service,
    plan_name: r.plan_name,
    rules_text: r.rules_text,
    suppressed_until: dateOf(r.suppressed_until_ms),
  }));
}

const dateOf = (ms: number | null) => (ms === null ? null : new Date(ms));

/**
 * An instant as the whole milliseconds since the epoch (float8: pg parses it with Number), the Date
 * pg would have made of its text: postgres-date drops the microseconds (Date.UTC truncates them).
 */
function epochMs(instant: RawBuilder<unknown>) {
  return sql`floor(extract(epoch from ${instant}) * 1000)::float8`;
}

// Built once (statement-shapes.ts): building and compiling the claim cost the engine ~0.5 ms of CPU
// a tick (≈ 5 µs an alert in a tick of 100), for the same SQL text every time.
const claimStatements = new StatementShapes((_variant: string, at: { now: Date; limit: number }) =>
  claimQuery(buildingDb, at.now, at.limit),
);

function claimQuery(db: Executor, now: Date, limit: number) {
  return (
    db
      .selectFrom('alerts_undecided')
      .innerJoinLateral(
        (eb) =>
          eb
            .selectFrom('alerts')
            .select([
              'alerts.id',
              'alerts.service_id',
              'alerts.dedup_key',
              'alerts.status',
              'alerts.summary',
              'alerts.source',
              'alerts.severity',
              'alerts.component',
              'alerts.alert_group',
              'alerts.alert_class',
              'alerts.labels',
              'alerts.started_at',
              'alerts.first_seen_at',
              'alerts.resolved_at',
              'alerts.route_after',
              'alerts.detached_from',
            ])
            .whereRef('alerts.id', '=', 'alerts_undecided.alert_id')
            .where('alerts.routed_at', 'is', null)
            .where((w) =>
              w.or([
                w('alerts.route_after', 'is', null),
                w('alerts.route_after', '<=', now),
                w('alerts.status', '=', 'resolved'),
              ]),
            )
            .forUpdate()
            .skipLocked()
            .as('a'),
        (join) => join.onTrue(),
      )
      .innerJoin('services', 'services.id', 'a.service_id')
      .select([
        'a.id',
        'a.service_id',
        'a.dedup_key',
        'a.status',
        'a.summary',
        'a.source',
        'a.severity',
        'a.component',
        'a.alert_group',
        'a.alert_class',
        'a.labels',
        'a.detached_from',
      ])
      .select([
        sql<number | null>`${epochMs(sql.ref('a.started_at'))}`.as('started_ms'),
        sql<number>`${epochMs(sql.ref('a.first_seen_at'))}`.as('first_seen_ms'),
        sql<number | null>`${epochMs(sql.ref('a.resolved_at'))}`.as('resolved_ms'),
        sql<number | null>`${epochMs(sql.ref('a.route_after'))}`.as('route_after_ms'),
      ])
      .select(['services.name as service', 'services.plan_name'])
      // As text: parsed once for each service of the tick (routeAlerts), not once for each of its alerts.
      .select(sql<string | null>`services.rules::text`.as('rules_text'))
      .select((eb) =>
        eb
          .selectFrom('suppressions')
          .select(
            sql<
              number | null
            >`${epochMs(sql`max(coalesce(suppressions.ended_at, suppressions.ends_at))`)}`.as('until'),
          )
          .where('suppressions.mode', '=', 'suppress')
          .where('suppressions.starts_at', '<=', now)
          .as('suppressed_until_ms'),
      )
      .orderBy('alerts_undecided.alert_id')
      .limit(limit)
  );
}

/** One alert's decision, as markRouted writes it. */
export interface RoutedDecision {
  id: string;
  routing: string;
  incidentId?: string | undefined;
  /** The data of the alert's `routed` event. */
  data: Record<string, unknown>;
}

/**
 * Records a batch of decisions in one statement: each alert's routing (only once: a decided alert
 * is never decided again) and its `routed` event, all at `at` by `actor`, and announces the routed
 * alerts on tocsin_events, 80 a notification (migration 0711: the row trigger leaves the decision
 * to this statement). The decisions go as one JSON document (jsonb_array_elements turns it into rows):
 * one JSON.stringify for the batch, where a jsonb[] parameter cost a stringify of each decision's data
 * and then the array literal's escaping of every quote in it. No index of alerts names the columns
 * written here (migration 0740), so with room on the alert's page the update is heap-only. Returns
 * how many alerts it routed.
 */
export async function markRouted(
  db: Executor,
  decisions: RoutedDecision[],
  at: Date,
  actor: string,
): Promise<number> {
  if (decisions.length === 0) return 0;
  const rows = decisions.map((d) => ({
    id: d.id,
    routing: d.routing,
    incident_id: d.incidentId ?? null,
    data: d.data,
  }));
  const { rows: counted } = await sql<{ routed: number }>`
    with decided as (
      -- ->'data' hands each event's data on as jsonb (jsonb_to_recordset would print it and parse it again).
      select (d->>'id')::bigint as id, d->>'routing' as routing, (d->>'incident_id')::bigint as incident_id,
        d->'data' as data
      from jsonb_array_elements(${JSON.stringify(rows)}::jsonb) as d
    ),
    routed as (
      update alerts set
        routing = decided.routing,
        routed_at = ${at}::timestamptz,
        route_after = null,
        -- Decided again after a detach: the incident it left is no longer its own.
        detached_from = null,
        incident_id = coalesce(decided.incident_id, alerts.incident_id)
      from decided
      -- Joined on the decisions alone: the plan walks them and finds each alert by primary key. Also
      -- filtered by the ids as an array, the alerts side was estimated at one row (routed_at is null:
      -- almost no alert is undecided when the table was analyzed) and put outside a nested loop that
      -- unnested every array again for each alert: quadratic, ~60 µs of CPU an alert in a tick of 170.
      where alerts.id = decided.id and alerts.routed_at is null
      returning alerts.id, alerts.incident_id, decided.data
    ),
    -- Out of the queue of undecided alerts (migration 0740); an unreferenced CTE still runs.
    dequeued as (
      delete from alerts_undecided
      where alerts_undecided.alert_id = any(${`{${decisions.map((d) => d.id).join(',')}}`}::bigint[])
        and alerts_undecided.alert_id in (select routed.id from routed)
    ),
    logged as (
      insert into alert_events (alert_id, at, kind, actor, data)
      select routed.id, ${at}::timestamptz, 'routed', ${actor}::text, routed.data from routed
      order by routed.id
      returning alert_id
    ),
    -- Evaluated once (a materialized CTE); it has rows to announce exactly when logged has rows.
    announced as materialized (
      select tocsin_notify_alerts_changed(
        array_agg(routed.id order by routed.id), array_agg(routed.incident_id order by routed.id)
      ) as notifications
      from routed
    )
    select count(*)::int as routed from logged cross join announced
  `.execute(db);
  return counted[0]?.routed ?? 0;
}

/** Leaves an alert alone until `until` (its grace period), unless it resolves before. */
export function holdUntil(db: Executor, id: string, until: Date) {
  return db
    .updateTable('alerts')
    .set({ route_after: until })
    .where('id', '=', id)
    .where('routed_at', 'is', null)
    .execute();
}

/** Open incidents of a service, newest first, each with the alert that declared it (if any). */
export function openIncidentsOf(db: Executor, service: string) {
  return db
    .selectFrom('incidents')
    .leftJoin('alerts', (join) =>
      join
        .onRef('alerts.incident_id', '=', 'incidents.id')
        .on('alerts.routing', '=', sql<string>`'declared:' || incidents.id`),
    )
    .select([
      'incidents.id',
      'incidents.declared_at',
      'alerts.id as trigger_id',
      'alerts.labels',
      'alerts.severity',
      'alerts.source',
      'alerts.component',
      'alerts.alert_group',
      'alerts.alert_class',
      'alerts.dedup_key',
      'alerts.summary',
    ])
    .where('incidents.service', '=', service)
    .where('incidents.resolved_at', 'is', null)
    .orderBy('incidents.declared_at', 'desc')
    .orderBy('incidents.id', 'desc')
    .execute();
}

/**
 * Open incidents fed by alerts that are now all resolved and not yet noted as such: no note of
 * `actor` saying `text` since the last of their alerts resolved.
 */
export function incidentsWithAllAlertsResolved(db: Executor, actor: string, text: string, limit: number) {
  return db
    .selectFrom('incidents')
    .select(['incidents.id'])
    .where('incidents.resolved_at', 'is', null)
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('alerts').select('alerts.id').whereRef('alerts.incident_id', '=', 'incidents.id')),
    )
    .where(({ exists, not, selectFrom }) =>
      not(
        exists(
          selectFrom('alerts')
            .select('alerts.id')
            .whereRef('alerts.incident_id', '=', 'incidents.id')
            .where('alerts.status', '<>', 'resolved'),
        ),
      ),
    )
    .where(({ exists, not, selectFrom }) =>
      not(
        exists(
          selectFrom('incident_events')
            .select('incident_events.id')
            .whereRef('incident_events.incident_id', '=', 'incidents.id')
            .where('incident_events.kind', '=', 'note')
            .where('incident_events.actor_name', '=', actor)
            .where(sql<boolean>`incident_events.data ->> 'text' = ${text}`)
            .where(
              'incident_events.at',
              '>=',
              selectFrom('alerts')
                .select((eb) => eb.fn.max('alerts.resolved_at').as('last'))
                .whereRef('alerts.incident_id', '=', 'incidents.id'),
            ),
        ),
      ),
    )
    .orderBy('incidents.id')
    .limit(limit)
    .execute();
}

/** The distinct services whose alerts fed an incident, with their rules. */
export function servicesOfIncidentAlerts(db: Executor, incidentId: string) {
  return db
    .selectFrom('services')
    .select(['services.id', 'services.name', 'services.rules'])
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('alerts')
          .select('alerts.id')
          .whereRef('alerts.service_id', '=', 'services.id')
          .where('alerts.incident_id', '=', incidentId),
      ),
    )
    .execute();
}

/** The alerts that fed an incident, in the order they arrived. */
export function alertsOfIncident(db: Executor, incidentId: string) {
  return db
    .selectFrom('alerts')
    .innerJoin('services', 'services.id', 'alerts.service_id')
    .selectAll('alerts')
    .select('services.name as service')
    .where('alerts.incident_id', '=', incidentId)
    .orderBy('alerts.first_seen_at')
    .orderBy('alerts.id')
    .execute();
}

// A batch of decisions (or, after a rule failed in it, each alert's decision) runs between a savepoint
// and its release, so an alert the rules cannot handle is rolled back alone and marked, instead of
// failing every tick for all the others.
export async function savepoint(db: Executor): Promise<void> {
  await sql`savepoint alert_rule`.execute(db);
}
export async function releaseSavepoint(db: Executor): Promise<void> {
  await sql`release savepoint alert_rule`.execute(db);
}
export async function rollbackToSavepoint(db: Executor): Promise<void> {
  await sql`rollback to savepoint alert_rule`.execute(db);
}

/**
 * The newest incident resolved since `since` that an earlier alert of the same service and key fed
 * (or this alert was detached from): what a recurrence reopens under lifecycle.reopenWithin.
 */
export function recentlyResolvedIncidentOf(
  db: Executor,
  alert: { id: string; service_id: string; dedup_key: string; detached_from: string | null },
  since: Date,
) {
  return db
    .selectFrom('incidents')
    .select(['incidents.id'])
    .where('incidents.resolved_at', '>=', since)
    .where((eb) =>
      eb.or([
        ...(alert.detached_from ? [eb('incidents.id', '=', alert.detached_from)] : []),
        eb(
          'incidents.id',
          'in',
          eb
            .selectFrom('alerts')
            .select('alerts.incident_id')
            .where('alerts.service_id', '=', alert.service_id)
            .where('alerts.dedup_key', '=', alert.dedup_key)
            .where('alerts.id', '<>', alert.id)
            .where('alerts.incident_id', 'is not', null),
        ),
      ]),
    )
    .orderBy('incidents.resolved_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
