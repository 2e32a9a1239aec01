import type { Executor, Row } from '../../db/schema.ts';
import * as audit from '../audit/queries.ts';
import type { Actor } from '../context.ts';
import {
  type AuthConfig,
  csrfTokenOf,
  hashSecret,
  newSecret,
  type SessionUser,
  sessionUser,
} from './auth.ts';
import * as q from './queries.ts';

/** What a successful sign-in gives the HTTP layer: the cookie's value once, and what the console shows. */
export interface SignedIn {
  user: SessionUser;
  /** The session secret for the cookie; only its hash is stored. */
  token: string;
  csrf_token: string;
  expires_at: Date;
}

export interface ClientInfo {
  ip: string;
  userAgent?: string | undefined;
  /** The session cookie the browser still sent, if any: it ends here (a sign-in rotates the session). */
  previousToken?: string | undefined;
}

export function actorOf(u: Pick<Row<'users'>, 'id' | 'handle' | 'role' | 'leadership'>): Actor {
  return { kind: 'user', userId: u.id, name: u.handle, role: u.role, leadership: u.leadership };
}

/**
 * Opens a new session for a user who just proved who they are, inside the caller's transaction, and
 * audits it there. The session the browser held before (if any) is revoked: a new id at every
 * sign-in, so a session id planted before sign-in is worthless after it.
 */
export async function startSession(
  tx: Executor,
  user: Row<'users'>,
  method: string,
  client: ClientInfo,
  config: Pick<AuthConfig, 'sessionMaxMs'>,
  now: Date,
): Promise<SignedIn> {
  if (client.previousToken) await q.revokeSessionByHash(tx, hashSecret(client.previousToken), now);
  const token = newSecret();
  const expiresAt = new Date(now.getTime() + config.sessionMaxMs);
  const row = await q.insertSession(tx, {
    user_id: user.id,
    token_hash: hashSecret(token),
    method,
    created_at: now,
    last_seen_at: now,
    expires_at: expiresAt,
    ip: client.ip,
    user_agent: client.userAgent?.slice(0, 500) ?? null,
  });
  await audit.record(tx, actorOf(user), now, {
    action: 'session.created',
    entityType: 'user',
    entityId: user.id,
    after: { session: row.id, method, ip: client.ip },
  });
  return { user: sessionUser(user), token, csrf_token: csrfTokenOf(token), expires_at: expiresAt };
}
