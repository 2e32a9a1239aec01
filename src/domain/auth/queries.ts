import { sql } from 'kysely';
import type { Executor, NewRow } from '../../db/schema.ts';
import type { LinkPurpose } from './auth.ts';

/** A user by handle or email (case-insensitive), as typed at sign-in. */
export function userByLogin(db: Executor, login: string) {
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb('handle', '=', login), eb(sql`lower(email)`, '=', login)]))
    .where('deactivated_at', 'is', null) // someone who left signs in no more
    .orderBy(sql`handle = ${login}`, 'desc')
    .executeTakeFirst();
}

/** A user named by id (digits) or handle, as routes and the CLI accept. */
export function userByIdOrHandle(db: Executor, idOrHandle: string) {
  return db
    .selectFrom('users')
    .selectAll()
    .where(/^\d+$/.test(idOrHandle) ? 'id' : 'handle', '=', idOrHandle)
    .executeTakeFirst();
}

export function userByEmail(db: Executor, email: string) {
  return db
    .selectFrom('users')
    .selectAll()
    .where(sql`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

export function setPasswordHash(db: Executor, userId: string, passwordHash: string | null, at: Date) {
  return db
    .updateTable('users')
    .set({ password_hash: passwordHash, updated_at: at })
    .where('id', '=', userId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function insertSession(db: Executor, row: NewRow<'sessions'>) {
  return db.insertInto('sessions').values(row).returning(['id']).executeTakeFirstOrThrow();
}

/** A session with its user, whatever its state (the caller checks it is live). */
export function sessionByHash(db: Executor, tokenHash: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id as session_id',
      'sessions.created_at as session_created_at',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'sessions.revoked_at',
      'users.id',
      'users.handle',
      'users.role',
      'users.leadership',
    ])
    .where('sessions.token_hash', '=', tokenHash)
    .where('users.deactivated_at', 'is', null) // deactivation ends every session at once
    .executeTakeFirst();
}

export function touchSession(db: Executor, sessionId: string, at: Date) {
  return db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', sessionId).execute();
}

export function revokeSessionByHash(db: Executor, tokenHash: string, at: Date) {
  return db
    .updateTable('sessions')
    .set({ revoked_at: at })
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .returning(['id', 'user_id'])
    .executeTakeFirst();
}

/** A user's sessions not ended by sign-out or revocation (the caller drops expired and idle ones). */
export function unrevokedSessionsOf(db: Executor, userId: string) {
  return db
    .selectFrom('sessions')
    .select(['id', 'method', 'created_at', 'last_seen_at', 'expires_at', 'revoked_at', 'ip', 'user_agent'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('last_seen_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Ends one session of a user; undefined when it is not theirs or already ended. */
export function revokeUserSession(db: Executor, userId: string, sessionId: string, at: Date) {
  return db
    .updateTable('sessions')
    .set({ revoked_at: at })
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .returning(['id', 'user_id', 'method', 'ip', 'user_agent'])
    .executeTakeFirst();
}

/** Ends every session of a user (a password reset signs everyone else out). */
export function revokeUserSessions(db: Executor, userId: string, at: Date) {
  return db
    .updateTable('sessions')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

export function insertLink(db: Executor, row: NewRow<'auth_links'>) {
  return db.insertInto('auth_links').values(row).returning(['id', 'expires_at']).executeTakeFirstOrThrow();
}

/** Earlier unused links of the same purpose stop working when a new one is issued. */
export function expireLinks(db: Executor, userId: string, purpose: LinkPurpose, at: Date) {
  return db
    .updateTable('auth_links')
    .set({ expires_at: at })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', at)
    .execute();
}

export function lockLinkByHash(db: Executor, tokenHash: string) {
  return db
    .selectFrom('auth_links')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .forUpdate()
    .executeTakeFirst();
}

export function markLinkUsed(db: Executor, id: string, at: Date) {
  return db.updateTable('auth_links').set({ used_at: at }).where('id', '=', id).execute();
}

export function countRecentLinks(db: Executor, userId: string, purpose: LinkPurpose, since: Date) {
  return db
    .selectFrom('auth_links')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}

export function insertFailure(db: Executor, row: NewRow<'sign_in_failures'>) {
  return db.insertInto('sign_in_failures').values(row).execute();
}

/** Failures since `since` for a login and for an address, with the oldest of each (for Retry-After). */
export async function recentFailures(db: Executor, login: string, ip: string, since: Date) {
  const of = (column: 'login' | 'ip', value: string) =>
    db
      .selectFrom('sign_in_failures')
      .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('at').as('oldest')])
      .where(column, '=', value)
      .where('at', '>', since)
      .executeTakeFirstOrThrow();
  const [byLogin, byIp] = await Promise.all([of('login', login), of('ip', ip)]);
  return {
    login: { count: Number(byLogin.n), oldest: byLogin.oldest as Date | null },
    ip: { count: Number(byIp.n), oldest: byIp.oldest as Date | null },
  };
}

/** A successful sign-in forgets the login's failures; old rows of anyone go too. */
export function clearFailures(db: Executor, login: string, before: Date) {
  return db
    .deleteFrom('sign_in_failures')
    .where((eb) => eb.or([eb('login', '=', login), eb('at', '<', before)]))
    .execute();
}

export function insertOidcFlow(db: Executor, row: NewRow<'oidc_flows'>) {
  return db.insertInto('oidc_flows').values(row).execute();
}

/** Takes the flow (one use) and drops expired ones on the way. */
export async function takeOidcFlow(db: Executor, stateHash: string, now: Date) {
  await db.deleteFrom('oidc_flows').where('expires_at', '<', now).execute();
  return db.deleteFrom('oidc_flows').where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
}

export function identity(db: Executor, provider: string, subject: string) {
  return db
    .selectFrom('user_identities')
    .innerJoin('users', 'users.id', 'user_identities.user_id')
    .selectAll('users')
    .where('user_identities.provider', '=', provider)
    .where('user_identities.subject', '=', subject)
    .executeTakeFirst();
}

export function upsertIdentity(db: Executor, row: NewRow<'user_identities'>) {
  return db
    .insertInto('user_identities')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['provider', 'subject'])
        .doUpdateSet({ email: row.email, last_sign_in_at: row.last_sign_in_at }),
    )
    .execute();
}

export function handleTaken(db: Executor, handle: string) {
  return db
    .selectFrom('users')
    .select('id')
    .where('handle', '=', handle)
    .executeTakeFirst()
    .then((r) => r !== undefined);
}

export function setRole(db: Executor, userId: string, role: NewRow<'users'>['role'], at: Date) {
  return db
    .updateTable('users')
    .set({ role, updated_at: at })
    .where('id', '=', userId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
