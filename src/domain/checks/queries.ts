import { sql } from 'kysely';
import type { Executor, NewRow, Row, RowUpdate } from '../../db/schema.ts';

function withService(db: Executor) {
  return db
    .selectFrom('checks')
    .innerJoin('services', 'services.id', 'checks.service_id')
    .selectAll('checks')
    .select('services.name as service_name');
}

export function insertCheck(db: Executor, row: NewRow<'checks'>) {
  return db.insertInto('checks').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findCheck(db: Executor, name: string) {
  return withService(db).where('checks.name', '=', name).executeTakeFirst();
}

export function lockCheck(db: Executor, name: string) {
  return withService(db).where('checks.name', '=', name).forUpdate('checks').executeTakeFirst();
}

/** Locks a check to record a run's result (see probes.ts). */
export function lockCheckById(db: Executor, id: string) {
  // Filtering on run_seq here would skip a row whose claim is not yet committed instead of waiting
  // for it; the caller compares run_seq once it holds the lock (and so sees the committed claim).
  return withService(db).where('checks.id', '=', id).forUpdate('checks').executeTakeFirst();
}

export function listChecks(db: Executor, serviceId?: string) {
  let q = withService(db);
  if (serviceId !== undefined) q = q.where('checks.service_id', '=', serviceId);
  return q.orderBy('checks.name').execute();
}

export function deleteCheck(db: Executor, id: string) {
  return db.deleteFrom('checks').where('id', '=', id).execute();
}

export function updateCheck(db: Executor, id: string, set: RowUpdate<'checks'>) {
  return db.updateTable('checks').set(set).where('id', '=', id).execute();
}

/**
 * Claims up to `limit` due rows of a probe table (checks, vendor_watches — one mechanism, see
 * probes.ts): locks them, skipping any another engine holds, moves their next run one interval past
 * now and bumps run_seq. Returns the claimed rows as they now are.
 */
export async function claimDueProbes<T extends 'checks' | 'vendor_watches'>(
  tx: Executor,
  table: T,
  now: Date,
  limit: number,
): Promise<Row<T>[]> {
  const { rows } = await sql<Row<T>>`
    update ${sql.table(table)} p
    set next_run_at = ${now}::timestamptz + p.interval_ms * interval '1 millisecond',
        run_seq = p.run_seq + 1
    where p.id in (
      select id from ${sql.table(table)}
      where next_run_at <= ${now}
      order by next_run_at
      limit ${limit}
      for update skip locked)
    returning p.*`.execute(tx);
  return rows;
}

export function claimDueChecks(tx: Executor, now: Date, limit: number) {
  return claimDueProbes(tx, 'checks', now, limit);
}
