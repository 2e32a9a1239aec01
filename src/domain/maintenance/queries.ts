import { sql } from 'kysely';
import type { Executor, NewRow } from '../../db/schema.ts';
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

/** Every suppression, of either kind, active at some moment between `since` and `now`. */
export function suppressionsActiveBetween(db: Executor, since: Date, now: Date) {
  return db
    .selectFrom('suppressions')
    .selectAll()
    .where('starts_at', '<=', now)
    .where(effectiveEnd, '>', since)
    .orderBy('id')
    .execute();
}
