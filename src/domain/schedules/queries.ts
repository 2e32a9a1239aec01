import type { Executor, NewRow } from '../../db/schema.ts';

export function findByName(db: Executor, name: string) {
  return db.selectFrom('schedules').selectAll().where('name', '=', name).executeTakeFirst();
}

export function lockByName(db: Executor, name: string) {
  return db.selectFrom('schedules').selectAll().where('name', '=', name).forUpdate().executeTakeFirst();
}

/** Only whether it exists: the paging engine asks this while validating plans. */
export function existsByName(db: Executor, name: string) {
  return db.selectFrom('schedules').select('id').where('name', '=', name).executeTakeFirst();
}

export function listAll(db: Executor) {
  return db
    .selectFrom('schedules')
    .leftJoin('teams', 'teams.id', 'schedules.team_id')
    .selectAll('schedules')
    .select('teams.name as team')
    .orderBy('schedules.name')
    .execute();
}

export function findWithTeam(db: Executor, name: string) {
  return db
    .selectFrom('schedules')
    .leftJoin('teams', 'teams.id', 'schedules.team_id')
    .selectAll('schedules')
    .select('teams.name as team')
    .where('schedules.name', '=', name)
    .executeTakeFirst();
}

export function insert(db: Executor, row: NewRow<'schedules'>) {
  return db.insertInto('schedules').values(row).returningAll().executeTakeFirstOrThrow();
}

export function update(db: Executor, id: string, row: Partial<NewRow<'schedules'>>) {
  return db.updateTable('schedules').set(row).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export function remove(db: Executor, id: string) {
  return db.deleteFrom('schedules').where('id', '=', id).execute();
}

/** Overrides of some schedules (all: undefined) that overlap [from, to). */
export function overridesOverlapping(db: Executor, scheduleIds: string[] | undefined, from: Date, to: Date) {
  let q = db
    .selectFrom('schedule_overrides')
    .selectAll()
    .where('ends_at', '>', from)
    .where('starts_at', '<', to)
    .orderBy('id');
  if (scheduleIds !== undefined) {
    if (scheduleIds.length === 0) return Promise.resolve([]);
    q = q.where('schedule_id', 'in', scheduleIds);
  }
  return q.execute();
}

/** Overrides of one schedule overlapping [from, to), with handles, for showing. */
export function overridesWithHandles(db: Executor, scheduleId: string, from: Date, to: Date) {
  return db
    .selectFrom('schedule_overrides as o')
    .innerJoin('users as u', 'u.id', 'o.user_id')
    .leftJoin('users as r', 'r.id', 'o.replaces_user_id')
    .select([
      'o.id',
      'o.starts_at',
      'o.ends_at',
      'o.created_at',
      'o.created_by',
      'u.handle as user',
      'r.handle as replaces',
    ])
    .where('o.schedule_id', '=', scheduleId)
    .where('o.ends_at', '>', from)
    .where('o.starts_at', '<', to)
    .orderBy('o.starts_at')
    .orderBy('o.id')
    .execute();
}

export function insertOverride(db: Executor, row: NewRow<'schedule_overrides'>) {
  return db.insertInto('schedule_overrides').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findOverride(db: Executor, scheduleId: string, id: string) {
  return db
    .selectFrom('schedule_overrides')
    .selectAll()
    .where('schedule_id', '=', scheduleId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function deleteOverride(db: Executor, id: string) {
  return db.deleteFrom('schedule_overrides').where('id', '=', id).execute();
}

/** The handles of user ids (for showing stored participants). */
export function handlesOf(db: Executor, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([] as { id: string; handle: string }[]);
  return db.selectFrom('users').select(['id', 'handle']).where('id', 'in', ids).execute();
}

export function idsOfHandles(db: Executor, handles: string[]) {
  if (handles.length === 0) return Promise.resolve([] as { id: string; handle: string }[]);
  return db.selectFrom('users').select(['id', 'handle']).where('handle', 'in', handles).execute();
}

export function replaceFeedToken(db: Executor, userId: string, tokenHash: string, at: Date) {
  return db
    .insertInto('feed_tokens')
    .values({ user_id: userId, token_hash: tokenHash, created_at: at })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ token_hash: tokenHash, created_at: at }))
    .execute();
}

/** The user a feed token belongs to. */
export function userByFeedTokenHash(db: Executor, tokenHash: string) {
  return db
    .selectFrom('feed_tokens')
    .innerJoin('users', 'users.id', 'feed_tokens.user_id')
    .select(['users.id', 'users.handle', 'users.name', 'users.role', 'users.leadership'])
    .where('feed_tokens.token_hash', '=', tokenHash)
    .executeTakeFirst();
}
