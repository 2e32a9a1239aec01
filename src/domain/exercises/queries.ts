import type { Executor, NewRow } from '../../db/schema.ts';

export function insertExercise(db: Executor, row: NewRow<'exercises'>) {
  return db.insertInto('exercises').values(row).returningAll().executeTakeFirstOrThrow();
}

export function listExercises(db: Executor, plan: string | undefined) {
  let q = db.selectFrom('exercises').selectAll().orderBy('scheduled_at', 'desc').orderBy('id', 'desc');
  if (plan) q = q.where('plan_name', '=', plan);
  return q.execute();
}

/** Exercises due and neither started, cancelled nor failed, locked (skipping those another engine holds). */
export function lockDue(db: Executor, now: Date) {
  return db
    .selectFrom('exercises')
    .selectAll()
    .where('started_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('scheduled_at', '<=', now)
    .orderBy('scheduled_at')
    .orderBy('id')
    .forUpdate()
    .skipLocked()
    .execute();
}

export function lockExercise(db: Executor, id: string) {
  return db.selectFrom('exercises').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function markStarted(db: Executor, id: string, at: Date, incidentId: string) {
  return db
    .updateTable('exercises')
    .set({ started_at: at, incident_id: incidentId })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function markCancelled(db: Executor, id: string, at: Date, by: string) {
  return db
    .updateTable('exercises')
    .set({ cancelled_at: at, cancelled_by: by })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function markFailed(db: Executor, id: string, at: Date, failure: string) {
  return db
    .updateTable('exercises')
    .set({ failed_at: at, failure })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
