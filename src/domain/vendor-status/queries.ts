import type { Executor, NewRow, RowUpdate } from '../../db/schema.ts';
import { claimDueProbes } from '../checks/queries.ts';

function withService(db: Executor) {
  return db
    .selectFrom('vendor_watches')
    .innerJoin('services', 'services.id', 'vendor_watches.service_id')
    .selectAll('vendor_watches')
    .select('services.name as service_name');
}

export function insertWatch(db: Executor, row: NewRow<'vendor_watches'>) {
  return db.insertInto('vendor_watches').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findWatch(db: Executor, name: string) {
  return withService(db).where('vendor_watches.name', '=', name).executeTakeFirst();
}

export function lockWatch(db: Executor, name: string) {
  return withService(db)
    .where('vendor_watches.name', '=', name)
    .forUpdate('vendor_watches')
    .executeTakeFirst();
}

/** Locks a watch to record a run's result; run_seq is compared once locked (see probes.ts). */
export function lockWatchById(db: Executor, id: string) {
  return withService(db).where('vendor_watches.id', '=', id).forUpdate('vendor_watches').executeTakeFirst();
}

export function listWatches(db: Executor, serviceId?: string) {
  let q = withService(db);
  if (serviceId !== undefined) q = q.where('vendor_watches.service_id', '=', serviceId);
  return q.orderBy('vendor_watches.name').execute();
}

export function deleteWatch(db: Executor, id: string) {
  return db.deleteFrom('vendor_watches').where('id', '=', id).execute();
}

export function updateWatch(db: Executor, id: string, set: RowUpdate<'vendor_watches'>) {
  return db.updateTable('vendor_watches').set(set).where('id', '=', id).execute();
}

export function claimDueWatches(tx: Executor, now: Date, limit: number) {
  return claimDueProbes(tx, 'vendor_watches', now, limit);
}
