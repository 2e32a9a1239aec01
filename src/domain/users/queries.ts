import type { Executor, NewRow, Row } from '../../db/schema.ts';

export function findByHandle(db: Executor, handle: string) {
  return db.selectFrom('users').selectAll().where('handle', '=', handle).executeTakeFirst();
}

export function findById(db: Executor, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findManyByHandle(db: Executor, handles: string[]) {
  if (handles.length === 0) return Promise.resolve([] as Row<'users'>[]);
  return db.selectFrom('users').selectAll().where('handle', 'in', handles).execute();
}

export function list(db: Executor) {
  return db.selectFrom('users').selectAll().orderBy('handle').execute();
}

export function count(db: Executor) {
  return db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}

export function firstAdmin(db: Executor) {
  return db.selectFrom('users').selectAll().where('role', '=', 'admin').orderBy('id').executeTakeFirst();
}

export function insert(db: Executor, row: NewRow<'users'>) {
  return db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
}

export function update(db: Executor, id: string, row: Partial<NewRow<'users'>>) {
  return db.updateTable('users').set(row).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Several users at once, many rows a statement (config as code applies thousands). */
export async function insertMany(db: Executor, rows: NewRow<'users'>[]) {
  const out: Row<'users'>[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    out.push(
      ...(await db
        .insertInto('users')
        .values(rows.slice(i, i + 1000))
        .returningAll()
        .execute()),
    );
  }
  return out;
}

export function lockManyByHandle(db: Executor, handles: string[]) {
  if (handles.length === 0) return Promise.resolve([] as Row<'users'>[]);
  return db.selectFrom('users').selectAll().where('handle', 'in', handles).forUpdate().execute();
}

export function lockById(db: Executor, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function lockByHandle(db: Executor, handle: string) {
  return db.selectFrom('users').selectAll().where('handle', '=', handle).forUpdate().executeTakeFirst();
}

export function insertToken(db: Executor, row: NewRow<'api_tokens'>) {
  return db
    .insertInto('api_tokens')
    .values(row)
    .returning(['id', 'name', 'prefix', 'created_at', 'last_used_at', 'expires_at', 'revoked_at'])
    .executeTakeFirstOrThrow();
}

export function findTokenHash(db: Executor, tokenHash: string) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'revoked_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

const TOKEN_COLUMNS = [
  'api_tokens.id',
  'api_tokens.name',
  'api_tokens.prefix',
  'api_tokens.created_at',
  'api_tokens.last_used_at',
  'api_tokens.expires_at',
  'api_tokens.revoked_at',
  'users.handle as user',
] as const;

/** A user's tokens, newest first (revoked and expired ones too: they are history). */
export function listTokens(db: Executor, userId: string) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(TOKEN_COLUMNS)
    .where('api_tokens.user_id', '=', userId)
    .orderBy('api_tokens.created_at', 'desc')
    .orderBy('api_tokens.id', 'desc')
    .execute();
}

export function lockToken(db: Executor, id: string) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([...TOKEN_COLUMNS, 'api_tokens.user_id'])
    .where('api_tokens.id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function revokeToken(db: Executor, id: string, at: Date) {
  return db
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Revokes every live token of a user; returns how many. */
export async function revokeTokensOf(db: Executor, userId: string, at: Date): Promise<number> {
  const done = await db
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(done.numUpdatedRows);
}

/** Revokes the tokens TOCSIN_ADMIN_TOKEN installed before, except the current one; returns them. */
export function revokeEnvTokensExcept(db: Executor, keepHash: string, at: Date) {
  return db
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('from_env', '=', true)
    .where('revoked_at', 'is', null)
    .where('token_hash', '!=', keepHash)
    .returning(['id', 'prefix'])
    .execute();
}

/** The user behind a live token: not revoked, not expired. */
export function userByTokenHash(db: Executor, tokenHash: string, now: Date) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id as token_id',
      'api_tokens.last_used_at',
      'api_tokens.expires_at',
      'users.id',
      'users.handle',
      'users.name',
      'users.role',
      'users.leadership',
    ])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where('api_tokens.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('api_tokens.expires_at', 'is', null), eb('api_tokens.expires_at', '>', now)]))
    .where('users.deactivated_at', 'is', null)
    .executeTakeFirst();
}

export function markTokenUsed(db: Executor, tokenId: string, at: Date) {
  return db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', tokenId).execute();
}

export function findTeamByName(db: Executor, name: string) {
  return db.selectFrom('teams').selectAll().where('name', '=', name).executeTakeFirst();
}

/** Teams by name; deactivated ones only when asked for. */
export function listTeams(db: Executor, includeDeactivated = false) {
  return db
    .selectFrom('teams')
    .selectAll()
    .$if(!includeDeactivated, (qb) => qb.where('deactivated_at', 'is', null))
    .orderBy('name')
    .execute();
}

export function lockTeamByName(db: Executor, name: string) {
  return db.selectFrom('teams').selectAll().where('name', '=', name).forUpdate().executeTakeFirst();
}

export function insertTeam(db: Executor, row: NewRow<'teams'>) {
  return db.insertInto('teams').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateTeam(db: Executor, id: string, row: Partial<NewRow<'teams'>>) {
  return db.updateTable('teams').set(row).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export function teamMembers(db: Executor, teamId: string) {
  return db
    .selectFrom('team_members')
    .innerJoin('users', 'users.id', 'team_members.user_id')
    .select(['users.handle as user', 'team_members.role'])
    .where('team_members.team_id', '=', teamId)
    .orderBy('users.handle')
    .execute();
}

export async function replaceTeamMembers(
  db: Executor,
  teamId: string,
  members: { userId: string; role: string }[],
) {
  await db.deleteFrom('team_members').where('team_id', '=', teamId).execute();
  if (members.length === 0) return;
  await db
    .insertInto('team_members')
    .values(members.map((m) => ({ team_id: teamId, user_id: m.userId, role: m.role })))
    .execute();
}

/** The teams a user belongs to, with their role in each. */
export function teamsOfUser(db: Executor, userId: string) {
  return db
    .selectFrom('team_members')
    .innerJoin('teams', 'teams.id', 'team_members.team_id')
    .select(['teams.name as team', 'team_members.role'])
    .where('team_members.user_id', '=', userId)
    .orderBy('teams.name')
    .execute();
}
