import type { Executor, NewRow, RowUpdate } from '../../db/schema.ts';

export function findPolicy(db: Executor, name: string) {
  return db.selectFrom('escalation_policies').selectAll().where('name', '=', name).executeTakeFirst();
}

export function listPolicies(db: Executor) {
  return db.selectFrom('escalation_policies').selectAll().orderBy('name').execute();
}

export function insertPolicy(db: Executor, row: NewRow<'escalation_policies'>) {
  return db.insertInto('escalation_policies').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updatePolicy(db: Executor, id: string, set: RowUpdate<'escalation_policies'>) {
  return db
    .updateTable('escalation_policies')
    .set(set)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function deletePolicy(db: Executor, id: string) {
  return db.deleteFrom('escalation_policies').where('id', '=', id).execute();
}

/** Services that page through this policy (a policy in use is not deleted). */
export function servicesUsing(db: Executor, name: string) {
  return db.selectFrom('services').select('name').where('escalation_policy', '=', name).execute();
}

export function existingHandles(db: Executor, handles: string[]) {
  if (handles.length === 0) return Promise.resolve([]);
  return db.selectFrom('users').select('handle as name').where('handle', 'in', handles).execute();
}

export function existingTeams(db: Executor, names: string[]) {
  if (names.length === 0) return Promise.resolve([]);
  return db.selectFrom('teams').select('name').where('name', 'in', names).execute();
}

export function existingSchedules(db: Executor, names: string[]) {
  if (names.length === 0) return Promise.resolve([]);
  return db.selectFrom('schedules').select('name').where('name', 'in', names).execute();
}
