import type { Clock } from '../../db/clock.ts';
import type { Db } from '../../db/schema.ts';
import { type Actor, ANONYMOUS } from '../context.ts';
import * as users from './queries.ts';
import { hashToken } from './users.ts';

// last_used_at is for people auditing their tokens; minute precision is enough, and skipping the
// write on most requests spares every API call a commit of its own.
const MARK_USED_EVERY_MS = 60_000;

/** The actor behind a bearer token; anonymous when there is none (operations then refuse). */
export async function authenticate(db: Db, clock: Clock, token: string | undefined): Promise<Actor | null> {
  if (!token) return ANONYMOUS;
  const now = clock.now();
  const user = await users.userByTokenHash(db, hashToken(token), now);
  if (!user) return null;
  if (!user.last_used_at || now.getTime() - user.last_used_at.getTime() >= MARK_USED_EVERY_MS) {
    await users.markTokenUsed(db, user.token_id, now);
  }
  return { kind: 'user', userId: user.id, name: user.handle, role: user.role, leadership: user.leadership };
}
