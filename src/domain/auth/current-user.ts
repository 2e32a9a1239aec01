import { Unauthorized } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as users from '../users/queries.ts';
import { type SessionUser, sessionUser } from './auth.ts';

/** The signed-in user (by session or token), as the console shows it. */
export async function currentUser({ ctx }: Operation<void>): Promise<SessionUser> {
  const id = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
  const row = id ? await users.findById(ctx.db, id) : undefined;
  if (!row) throw new Unauthorized('not signed in');
  return sessionUser(row);
}
