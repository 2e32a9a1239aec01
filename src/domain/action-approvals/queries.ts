import type { Executor, NewRow } from '../../db/schema.ts';

// The SQL of approval requests on incident actions and their votes.

export function insertRequest(db: Executor, row: NewRow<'incident_action_approvals'>) {
  return db.insertInto('incident_action_approvals').values(row).returningAll().executeTakeFirstOrThrow();
}

export function pendingRequests(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_action_approvals')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .where('status', '=', 'pending')
    .orderBy('id')
    .execute();
}

export function listRequests(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_action_approvals')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
}

export function lockRequest(db: Executor, incidentId: string, id: string) {
  return db
    .selectFrom('incident_action_approvals')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function decideRequest(
  db: Executor,
  id: string,
  set: { status: 'approved' | 'rejected'; decided_at: Date; decided_by: string },
) {
  return db
    .updateTable('incident_action_approvals')
    .set(set)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function insertVote(db: Executor, row: NewRow<'incident_action_approval_votes'>) {
  return db.insertInto('incident_action_approval_votes').values(row).returningAll().executeTakeFirstOrThrow();
}

export function votesOf(db: Executor, requestIds: string[]) {
  if (requestIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('incident_action_approval_votes')
    .selectAll()
    .where('request_id', 'in', requestIds)
    .orderBy('id')
    .execute();
}
