import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as users from './queries.ts';
import { publicUser } from './users.ts';

/** One user with the teams they are in. */
export async function getUser({ ctx, input }: Operation<{ handle: string }>) {
  ctx.require('read');
  const user = await users.findByHandle(ctx.db, input.handle);
  if (!user) throw new NotFound('user', input.handle);
  return { ...publicUser(user), teams: await users.teamsOfUser(ctx.db, user.id) };
}
