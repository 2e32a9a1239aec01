import type { Executor, NewRow, RowUpdate } from '../../db/schema.ts';

// The SQL of updates and their reviews (approvals and requests for changes).

export function lockUpdate(db: Executor, incidentId: string, updateId: string) {
  return db
    .selectFrom('incident_updates')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .where('id', '=', updateId)
    .forUpdate()
    .executeTakeFirst();
}

export function setUpdate(db: Executor, id: string, set: RowUpdate<'incident_updates'>) {
  return db
    .updateTable('incident_updates')
    .set(set)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

// One query for an incident's updates: the incidents concept's.
export { listUpdates } from '../incidents/queries.ts';

export function insertReview(db: Executor, row: NewRow<'incident_update_reviews'>) {
  return db.insertInto('incident_update_reviews').values(row).returningAll().executeTakeFirstOrThrow();
}

export function reviewsOf(db: Executor, updateIds: string[]) {
  if (updateIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('incident_update_reviews')
    .selectAll()
    .where('update_id', 'in', updateIds)
    .orderBy('id')
    .execute();
}
