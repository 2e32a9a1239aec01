import { sql } from 'kysely';
import type { Executor, NewRow, RowUpdate } from '../../db/schema.ts';
import type { SuppressionKind, SuppressionState } from './maintenance.ts';

// The SQL of maintenance windows and silences.

const effectiveEnd = sql<Date>`coalesce(suppressions.ended_at, suppressions.ends_at)`;

function withService(db: Executor) {
  return db
    .selectFrom('suppressions')
    .leftJoin('services', 'services.id', 'suppressions.service_id')
    .selectAll('suppressions')
    .select('services.name as service');
}

export function insertSuppression(db: Executor, row: NewRow<'suppressions'>) {
  return db.insertInto('suppressions').values(row).returning('id').executeTakeFirstOrThrow();
}

export function findSuppression(db: Executor, kind: SuppressionKind, id: string) {
  return withService(db)
    .where('suppressions.kind', '=', kind)
    .where('suppressions.id', '=', id)
    .executeTakeFirst();
}

export function lockSuppression(db: Executor, kind: SuppressionKind, id: string) {
  return db
    .selectFrom('suppressions')
    .selectAll()
    .where('kind', '=', kind)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function endSuppression(db: Executor, id: string, at: Date, by: string) {
  return db
    .updateTable('suppressions')
    .set({ ended_at: at, ended_by: by })
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirstOrThrow();
}

export interface SuppressionFilter {
  kind: SuppressionKind;
  state: SuppressionState | 'current' | 'all';
  serviceId?: string | undefined;
  now: Date;
  limit: number;
  offset: number;
}

export function listSuppressions(db: Executor, f: SuppressionFilter) {
  let q = withService(db)
    .where('suppressions.kind', '=', f.kind)
    .orderBy('suppressions.starts_at', 'desc')
    .orderBy('suppressions.id', 'desc')
    .limit(f.limit)
    .offset(f.offset);
  if (f.serviceId) q = q.where('suppressions.service_id', '=', f.serviceId);
  if (f.state === 'expired') q = q.where(effectiveEnd, '<=', f.now);
  if (f.state === 'current' || f.state === 'active' || f.state === 'pending') {
    q = q.where(effectiveEnd, '>', f.now);
  }
  if (f.state === 'active') q = q.where('suppressions.starts_at', '<=', f.now);
  if (f.state === 'pending') q = q.where('suppressions.starts_at', '>', f.now);
  return q.execute();
}

/**
 * Every suppression, of either kind, active at some moment between `since` and `now`, that
 * suppresses (a `downgrade` window lets incidents open: paging reads it, see downgradingWindows).
 */
export function suppressionsActiveBetween(db: Executor, since: Date, now: Date) {
  return db
    .selectFrom('suppressions')
    .selectAll()
    .where('mode', '=', 'suppress')
    .where('starts_at', '<=', now)
    .where(effectiveEnd, '>', since)
    .orderBy('id')
    .execute();
}

/** A service's `downgrade` maintenance windows that may cover `now` (weekly ones: check isOpen). */
export function downgradingWindows(db: Executor, serviceName: string, now: Date) {
  return db
    .selectFrom('suppressions')
    .innerJoin('services', 'services.id', 'suppressions.service_id')
    .selectAll('suppressions')
    .where('services.name', '=', serviceName)
    .where('suppressions.kind', '=', 'maintenance')
    .where('suppressions.mode', '=', 'downgrade')
    .where('suppressions.starts_at', '<=', now)
    .where(effectiveEnd, '>', now)
    .orderBy('suppressions.id')
    .execute();
}

/** The live rows of a maintenance window applied as a document (one per service), locked. */
export function lockWindowRows(db: Executor, name: string) {
  return db
    .selectFrom('suppressions')
    .leftJoin('services', 'services.id', 'suppressions.service_id')
    .selectAll('suppressions')
    .select('services.name as service')
    .where('suppressions.kind', '=', 'maintenance')
    .where('suppressions.name', '=', name)
    .where('suppressions.ended_at', 'is', null)
    .orderBy('suppressions.id')
    .forUpdate('suppressions')
    .execute();
}

export function updateWindowRow(db: Executor, id: string, row: RowUpdate<'suppressions'>) {
  return db.updateTable('suppressions').set(row).where('id', '=', id).execute();
}

/** Names of the live windows applied from these files, for ending those a file no longer holds. */
export function windowNamesFromFiles(db: Executor, files: string[]) {
  if (files.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('suppressions')
    .select(['name', 'source_file'])
    .distinct()
    .where('kind', '=', 'maintenance')
    .where('source_file', 'in', files)
    .where('name', 'is not', null)
    .where('ended_at', 'is', null)
    .orderBy('name')
    .execute();
}
