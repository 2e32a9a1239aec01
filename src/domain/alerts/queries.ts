import { sql } from 'kysely';
import type { AlertStatus, Executor, NewRow } from '../../db/schema.ts';

type NewAlert = NewRow<'alerts'>;

/**
 * Inserts an alert, or — when an open alert of the same service and key exists — counts a repeat and
 * refreshes what the sender says now. The partial unique index makes concurrent triggers of one key
 * meet in one row, whichever instance they arrive on.
 */
export function upsertTrigger(db: Executor, row: NewAlert) {
  return db
    .insertInto('alerts')
    .values(row)
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
          raw: eb.ref('excluded.raw'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
    )
    .returning(['id', 'status', sql<boolean>`(xmax = 0)`.as('inserted')])
    .executeTakeFirstOrThrow();
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

export function findAlert(db: Executor, id: string) {
  return db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
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
}

export function listAlerts(db: Executor, f: AlertFilter) {
  let q = db
    .selectFrom('alerts')
    .innerJoin('services', 'services.id', 'alerts.service_id')
    .selectAll('alerts')
    .select('services.name as service')
    .orderBy('alerts.last_seen_at', 'desc')
    .orderBy('alerts.id', 'desc')
    .limit(f.limit)
    .offset(f.offset);
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
