import { sql } from 'kysely';
import type { AlertStatus, Executor, NewRow } from '../../db/schema.ts';
import type { Cursor } from '../../lib/cursor.ts';

type NewAlert = NewRow<'alerts'>;

// Where an alert's payload lives (migration 0115): the payload it opened with is stored once, in its
// trigger event; alerts.raw is written only when a repeat replaces that payload (null: the opening
// one). A new alert — the flood case — thus writes its payload once instead of twice.

/**
 * Inserts an alert, or — when an open alert of the same service and key exists — counts a repeat and
 * refreshes what the sender says now. The partial unique index makes concurrent triggers of one key
 * meet in one row, whichever instance they arrive on. A new alert's `raw` is left null: the caller
 * logs it with the trigger event.
 */
export function upsertTrigger(db: Executor, row: NewAlert & { raw: string }) {
  return db
    .insertInto('alerts')
    .values({ ...row, raw: null })
    .onConflict((oc) =>
      oc
        .columns(['service_id', 'dedup_key'])
        .where('status', '<>', 'resolved')
        .doUpdateSet((eb) => ({
          count: eb('alerts.count', '+', 1),
          last_seen_at: eb.ref('excluded.last_seen_at'),
          summary: eb.ref('excluded.summary'),
          source: eb.ref('excluded.source'),
          severity: eb.ref('excluded.severity'),
          labels: eb.ref('excluded.labels'),
          details: eb.ref('excluded.details'),
          raw: sql`${row.raw}::jsonb`,
          updated_at: eb.ref('excluded.updated_at'),
          // A detached alert triggering again is a recurrence: the alert rules decide it anew
          // (as tocsin_upsert_trigger_runs does, migration 0202).
          ...recurrenceOfDetached(),
        })),
    )
    .returning(['id', 'status', sql<boolean>`(xmax = 0)`.as('inserted')])
    .executeTakeFirstOrThrow();
}

/** The columns a trigger resets on a detached alert, so the alert rules decide it again. */
function recurrenceOfDetached() {
  const unlessDetached = <T extends 'routed_at' | 'routing' | 'route_after'>(column: T) =>
    sql<null>`case when alerts.detached_from is not null then null else ${sql.ref(`alerts.${column}`)} end`;
  return {
    routed_at: unlessDetached('routed_at'),
    routing: unlessDetached('routing'),
    route_after: unlessDetached('route_after'),
  };
}

/**
 * One coalesced run of triggers of one (service, dedup key), for upsertTriggerRuns: `n` events,
 * the alert's fields as the run leaves them, and what the alert's log gets for it.
 */
export interface TriggerRun {
  /** The integration key the events came with: the row is written only if it is still live (null: not checked). */
  key: string | null;
  integration_id: string | null;
  service_id: string;
  dedup_key: string;
  summary: string;
  source: string;
  severity: string;
  component: string | null;
  alert_group: string | null;
  alert_class: string | null;
  labels: unknown;
  /** Absent when details_at says where it sits in raw (sent once, read there by the store). */
  details: unknown;
  details_at: string[] | null;
  links: unknown;
  images: unknown;
  started_at: Date | null;
  raw: unknown;
  n: number;
  /** The first event's payload, logged when the run opens the alert (null: the same as raw). */
  first_raw: unknown;
  /** 'repeat' log rows when the run opens the alert / when it finds it open. */
  repeats_if_created: number;
  repeats_if_open: number;
  actor: string;
}

/**
 * Upserts many triggers in ONE statement (atomic on its own, so it needs no transaction): each run
 * is one row — distinct (service, dedup key) per call, as ON CONFLICT DO UPDATE cannot touch a row
 * twice in one statement — counted n times, with its alert_events rows written by the same
 * statement. With refresh false an open alert only gets its count and last-seen bumped (shed
 * repeats). Runs whose integration key is given and no longer live write nothing and return no row.
 *
 * The statement is the function tocsin_upsert_trigger_runs (migration 0115): PL/pgSQL keeps its
 * plan for the session, where sent from here it would be parsed and planned on every batch. A run
 * whose details are part of its raw payload sends them once (details_at, migration 0710).
 */
export async function upsertTriggerRuns(
  db: Executor,
  runs: TriggerRun[],
  at: Date,
  refresh: boolean,
  announcedAfterCommit = false,
) {
  type Upserted = { upserted: { id: string; service_id: string; dedup_key: string; inserted: boolean }[] };
  const call = sql`tocsin_upsert_trigger_runs(${JSON.stringify(runs.map(asSent))}::jsonb, ${at}::timestamptz, ${refresh})`;
  // Announcing: the setting first (a materialized CTE is evaluated once, before the row it yields is
  // read), so the insert triggers leave the announcement to announceAlertsInserted (migration 0830).
  // set_config(…, true) lasts until this statement's transaction ends.
  const { rows } = await (announcedAfterCommit
    ? sql<Upserted>`with announced as materialized (
          select set_config('tocsin.alerts_announced_after_commit', 'on', true)
        ) select ${call} as upserted from announced`
    : sql<Upserted>`select ${call} as upserted`
  ).execute(db);
  return rows[0]?.upserted ?? [];
}

/** A list or object with something in it, else undefined (left out of the JSON). */
function filled(v: unknown): unknown {
  if (Array.isArray(v)) return v.length > 0 ? v : undefined;
  if (v !== null && typeof v === 'object') {
    for (const _ in v) return v;
    return undefined;
  }
  return v ?? undefined;
}

/**
 * A run as the statement takes it (migration 0842): its trigger event's data, {"raw": the first
 * payload}, built here once and stored as sent; raw only when the last payload differs from the first.
 *
 * Its keys are written in jsonb's own order (shorter keys first, then bytewise): jsonb_in sorts each
 * object's keys, and a list already in order costs it no exchange — about 20k of the statement's
 * ~440k instructions an alert were the exchanges of the run's ~20 keys. jsonb keeps no key order, so
 * what is stored is the same. Null fields and empty labels, links and images are left out (migration
 * 0843 puts the columns' empty values back): fewer keys to parse, sort and look up.
 */
function asSent(r: TriggerRun) {
  const first = r.first_raw === null || r.first_raw === undefined;
  return {
    n: r.n,
    key: r.key ?? undefined,
    raw: first ? undefined : r.raw,
    actor: r.actor,
    links: filled(r.links),
    images: filled(r.images),
    labels: filled(r.labels),
    source: r.source,
    details: r.details,
    summary: r.summary,
    severity: r.severity,
    component: r.component ?? undefined,
    dedup_key: r.dedup_key,
    details_at: r.details_at ?? undefined,
    service_id: r.service_id,
    started_at: r.started_at ?? undefined,
    alert_class: r.alert_class ?? undefined,
    alert_group: r.alert_group ?? undefined,
    trigger_data: { raw: first ? r.raw : r.first_raw },
    integration_id: r.integration_id ?? undefined,
    repeats_if_open: r.repeats_if_open,
    repeats_if_created: r.repeats_if_created,
  } satisfies Record<Exclude<keyof TriggerRun, 'first_raw'> | 'trigger_data', unknown>;
}

/**
 * Announces new alerts committed by upsertTriggerRuns(…, announcedAfterCommit): alert.changed and
 * the alert-rules wake, as its insert triggers would have at its commit (migration 0830). In a
 * transaction of its own that writes no WAL, so its commit does not flush while it holds
 * PostgreSQL's notification lock, and the ingest commits beside it share their flushes.
 */
export async function announceAlertsInserted(db: Executor, ids: string[]): Promise<void> {
  await sql`select tocsin_announce_alerts_inserted(${ids}::bigint[])`.execute(db);
}

/** Counts n repeats against the open alert of a key (shed triggers, see ingest-alert-events.ts). */
export function countRepeats(db: Executor, serviceId: string, dedupKey: string, n: number, at: Date) {
  return db
    .updateTable('alerts')
    .set((eb) => ({ count: eb('count', '+', n), last_seen_at: at, updated_at: at }))
    .where('service_id', '=', serviceId)
    .where('dedup_key', '=', dedupKey)
    .where('status', '<>', 'resolved')
    .returning(['id'])
    .executeTakeFirst();
}

/** The columns a status change writes: the status and the moment of reaching it. */
function statusColumns(set: { status: AlertStatus; at: Date }) {
  return {
    status: set.status,
    updated_at: set.at,
    ...(set.status === 'acknowledged' ? { acknowledged_at: set.at } : {}),
    ...(set.status === 'resolved' ? { resolved_at: set.at } : {}),
  };
}

export function setStatusByKey(
  db: Executor,
  serviceId: string,
  dedupKey: string,
  from: AlertStatus[],
  set: { status: AlertStatus; at: Date },
) {
  return db
    .updateTable('alerts')
    .set(statusColumns(set))
    .where('service_id', '=', serviceId)
    .where('dedup_key', '=', dedupKey)
    .where('status', 'in', from)
    .returning(['id'])
    .executeTakeFirst();
}

export function setStatusById(
  db: Executor,
  id: string,
  from: AlertStatus[],
  set: { status: AlertStatus; at: Date },
) {
  return db
    .updateTable('alerts')
    .set(statusColumns(set))
    .where('id', '=', id)
    .where('status', 'in', from)
    .returningAll()
    .executeTakeFirst();
}

export function insertEvents(db: Executor, rows: NewRow<'alert_events'>[]) {
  if (rows.length === 0) return Promise.resolve();
  return db
    .insertInto('alert_events')
    .values(rows)
    .execute()
    .then(() => undefined);
}

/** An alert with its payload: the latest a repeat left, else the one its trigger event logged. */
export function findAlert(db: Executor, id: string) {
  return (
    db
      .selectFrom('alerts')
      .selectAll()
      // Named like the column it stands for: the later of two equal names is the one pg returns.
      .select(
        sql<unknown>`coalesce(alerts.raw, (select e.data -> 'raw' from alert_events e
          where e.alert_id = alerts.id and e.kind = 'trigger' order by e.id limit 1), '{}'::jsonb)`.as('raw'),
      )
      .where('id', '=', id)
      .executeTakeFirst()
  );
}

export function listEvents(db: Executor, alertId: string) {
  return db.selectFrom('alert_events').selectAll().where('alert_id', '=', alertId).orderBy('id').execute();
}

export interface AlertFilter {
  serviceId?: string | undefined;
  status?: 'open' | AlertStatus | 'all' | undefined;
  labels?: Record<string, string> | undefined;
  limit: number;
  offset: number;
  /** Keyset: only alerts strictly after this (last_seen_at, id) in the list's order. */
  after?: Cursor | undefined;
}

/** Last seen first (index alerts_last_seen); cursor_at is last_seen_at to the microsecond. */
export function listAlerts(db: Executor, f: AlertFilter) {
  let q = db
    .selectFrom('alerts')
    .innerJoin('services', 'services.id', 'alerts.service_id')
    .selectAll('alerts')
    .select('services.name as service')
    .select(sql<string>`alerts.last_seen_at::text`.as('cursor_at'))
    .orderBy('alerts.last_seen_at', 'desc')
    .orderBy('alerts.id', 'desc')
    .limit(f.limit)
    .offset(f.offset);
  if (f.after) {
    q = q.where(
      sql<boolean>`(alerts.last_seen_at, alerts.id) < (${f.after.at ?? null}::timestamptz, ${f.after.id}::bigint)`,
    );
  }
  if (f.serviceId) q = q.where('alerts.service_id', '=', f.serviceId);
  if (f.status === 'open') q = q.where('alerts.status', '<>', 'resolved');
  else if (f.status && f.status !== 'all') q = q.where('alerts.status', '=', f.status);
  if (f.labels && Object.keys(f.labels).length > 0) {
    q = q.where(sql<boolean>`alerts.labels @> ${JSON.stringify(f.labels)}::jsonb`);
  }
  return q.execute();
}

/**
 * Resolves up to `limit` open alerts of a service last seen before `cutoff` (auto-resolve). Alerts of
 * heartbeats are left out: their next ping resolves them, and silence is what they report. Rows a
 * concurrent repeat holds are skipped, and the outer condition is re-checked on the locked row, so a
 * repeat committed meanwhile keeps its alert open.
 */
export function resolveStale(db: Executor, s: { serviceId: string; cutoff: Date; now: Date; limit: number }) {
  const stale = db
    .selectFrom('alerts')
    .select('alerts.id')
    .where('alerts.service_id', '=', s.serviceId)
    .where('alerts.status', '<>', 'resolved')
    .where('alerts.last_seen_at', '<', s.cutoff)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('integrations')
            .select('integrations.id')
            .whereRef('integrations.id', '=', 'alerts.integration_id')
            .where('integrations.type', '=', 'heartbeat'),
        ),
      ),
    )
    .orderBy('alerts.last_seen_at')
    .limit(s.limit)
    .forUpdate()
    .skipLocked();
  return db
    .updateTable('alerts')
    .set({ status: 'resolved', resolved_at: s.now, updated_at: s.now })
    .where('id', 'in', stale)
    .where('status', '<>', 'resolved')
    .where('last_seen_at', '<', s.cutoff)
    .returning(['id', 'last_seen_at'])
    .execute();
}

/**
 * Detaches the open alerts that fed an incident (the incident was resolved) whose service says
 * `rules.onIncidentResolved: detach`: they stay open, linked to no incident, and remember it.
 */
export function detachIncidentAlerts(db: Executor, incidentId: string, now: Date) {
  return db
    .updateTable('alerts')
    .from('services')
    .set({ incident_id: null, detached_from: incidentId, routing: `detached:${incidentId}`, updated_at: now })
    .whereRef('services.id', '=', 'alerts.service_id')
    .where('alerts.incident_id', '=', incidentId)
    .where('alerts.status', '<>', 'resolved')
    .where(sql<string>`services.rules->>'onIncidentResolved'`, '=', 'detach')
    .returning(['alerts.id', 'alerts.dedup_key'])
    .execute();
}

/** Resolves the open alerts that fed an incident (the incident was resolved); returns them. */
export function resolveIncidentAlerts(db: Executor, incidentId: string, now: Date) {
  return db
    .updateTable('alerts')
    .set({ status: 'resolved', resolved_at: now, updated_at: now })
    .where('incident_id', '=', incidentId)
    .where('status', '<>', 'resolved')
    .returning(['id', 'dedup_key'])
    .execute();
}

/** Moves every alert that fed an incident to another (a merge); returns the moved alerts. */
export function moveIncidentAlerts(db: Executor, fromId: string, toId: string, now: Date) {
  return db
    .updateTable('alerts')
    .set({ incident_id: toId, updated_at: now })
    .where('incident_id', '=', fromId)
    .returning(['id', 'dedup_key'])
    .execute();
}

/** Alerts detached from a merged incident remember the incident that took it over instead. */
export function moveDetachedFrom(db: Executor, fromId: string, toId: string, now: Date) {
  return db
    .updateTable('alerts')
    .set({ detached_from: toId, updated_at: now })
    .where('detached_from', '=', fromId)
    .execute();
}
