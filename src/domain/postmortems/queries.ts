import { sql } from 'kysely';
import type { Executor, NewRow, PostmortemSection, RowUpdate } from '../../db/schema.ts';

/** Inserts a new post-mortem; on a second resolution (after a reopen) an unpublished one takes the new due date. */
export function upsertPostmortem(db: Executor, row: NewRow<'postmortems'>) {
  return db
    .insertInto('postmortems')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('incident_id')
        .doUpdateSet({ due_at: row.due_at ?? null, updated_at: row.updated_at })
        .where('postmortems.status', '<>', 'published'),
    )
    .returningAll()
    .executeTakeFirst();
}

export function findPostmortem(db: Executor, incidentId: string) {
  return db.selectFrom('postmortems').selectAll().where('incident_id', '=', incidentId).executeTakeFirst();
}

export function lockPostmortem(db: Executor, incidentId: string) {
  return db
    .selectFrom('postmortems')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .forUpdate()
    .executeTakeFirst();
}

/** The plan an incident ran under: its root-cause categories are the current version's. */
export function planOfIncident(db: Executor, incidentId: string) {
  return db.selectFrom('incidents').select('plan_name').where('id', '=', incidentId).executeTakeFirst();
}

export function updatePostmortem(db: Executor, incidentId: string, set: RowUpdate<'postmortems'>) {
  return db
    .updateTable('postmortems')
    .set(set)
    .where('incident_id', '=', incidentId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function sectionsJson(sections: PostmortemSection[]): string {
  return JSON.stringify(sections);
}

export function listPostmortems(
  db: Executor,
  f: { status?: string | undefined; overdueAt?: Date | undefined; limit: number },
) {
  let q = db.selectFrom('postmortems').selectAll().orderBy('incident_id', 'desc').limit(f.limit);
  if (f.status) q = q.where('status', '=', f.status as 'draft');
  if (f.overdueAt) q = q.where('status', '<>', 'published').where('due_at', '<', f.overdueAt);
  return q.execute();
}

// --- facts a draft is written from ---------------------------------------------------------------

export function alertsOfIncident(db: Executor, incidentId: string) {
  return db
    .selectFrom('alerts')
    .select(['summary', 'source', 'severity', 'dedup_key', 'first_seen_at', 'count'])
    .where('incident_id', '=', incidentId)
    .orderBy('first_seen_at')
    .orderBy('id')
    .execute();
}

/** Timeline events, without the engine's bookkeeping (queued notifications). */
export function timelineOfIncident(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_events')
    .select(['at', 'kind', 'actor_name', 'data'])
    .where('incident_id', '=', incidentId)
    .where('kind', '<>', 'notification.queued')
    .orderBy('id')
    .execute();
}

// --- meetings --------------------------------------------------------------------------------------

export function findMeeting(db: Executor, incidentId: string) {
  return db
    .selectFrom('postmortem_meetings')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
}

/** Schedules the meeting; an existing one moves, its sequence one higher (the calendar update rule). */
export function upsertMeeting(db: Executor, row: NewRow<'postmortem_meetings'>) {
  return db
    .insertInto('postmortem_meetings')
    .values(row)
    .onConflict((oc) =>
      oc.column('incident_id').doUpdateSet((eb) => ({
        sequence: sql<number>`postmortem_meetings.sequence + 1`,
        starts_at: eb.ref('excluded.starts_at'),
        ends_at: eb.ref('excluded.ends_at'),
        organizer: eb.ref('excluded.organizer'),
        attendees: eb.ref('excluded.attendees'),
        scheduled_by: eb.ref('excluded.scheduled_by'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Name and email of users by id (whom the plan's groups and roles name) or by handle (invited). */
export function usersBy(db: Executor, column: 'id' | 'handle', values: string[]) {
  if (values.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(['id', 'handle', 'name', 'email'])
    .where(column, 'in', values)
    .where('deactivated_at', 'is', null)
    .orderBy('name')
    .execute();
}
