import type { Clock } from '../../db/clock.ts';
import type { Db } from '../../db/schema.ts';
import { type Actor, ANONYMOUS } from '../context.ts';
import * as users from './queries.ts';
import { hashToken } from './users.ts';

/** The actor behind a bearer token; anonymous when there is none (operations then refuse). */
export async function authenticate(db: Db, clock: Clock, token: string | undefined): Promise<Actor | null> {
  if (!token) return ANONYMOUS;
  const user = await users.userByTokenHash(db, hashToken(token), clock.now());
  if (!user) return null;
  return { kind: 'user', userId: user.id, name: user.handle, role: user.role, leadership: user.leadership };
}
