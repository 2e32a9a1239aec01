import type { Executor } from '../../db/schema.ts';
import { NotFound } from '../../errors.ts';
import type { Ctx } from '../context.ts';
import * as users from '../users/queries.ts';
import type { User } from '../users/users.ts';

/**
 * The user whose contacts an operation reads or changes, after the permission check: everyone reads
 * and manages their own; reading someone else's needs contact:read-any, changing them contact:write-any.
 * The permission is checked before the lookup, so a refused caller learns nothing about who exists.
 */
export async function targetUser(
  ctx: Ctx,
  db: Executor,
  handle: string,
  access: 'read' | 'write',
): Promise<User> {
  ctx.require('read');
  const own = ctx.actor.kind === 'user' && ctx.actor.name === handle;
  if (own) ctx.require(access === 'read' ? 'read' : 'contact:write-own');
  else ctx.require(access === 'read' ? 'contact:read-any' : 'contact:write-any');
  const user = await (access === 'write' ? users.lockByHandle(db, handle) : users.findByHandle(db, handle));
  if (!user) throw new NotFound('user', handle);
  return user;
}
