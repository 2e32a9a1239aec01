import { NotFound, Unauthorized } from '../../errors.ts';
import type { Ctx } from '../context.ts';
import * as q from './queries.ts';

/**
 * Whose sessions an operation acts on: the caller's own, or (`session:manage-any`, admins) the user
 * named by handle. The permission is checked here, in the operation, whichever route called it.
 */
export async function sessionOwner(ctx: Ctx, handle: string | undefined): Promise<string> {
  const own = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
  if (handle === undefined || handle === ctx.actor.name) {
    ctx.require('read');
    if (!own) throw new Unauthorized('sessions belong to a signed-in user');
    return own;
  }
  ctx.require('session:manage-any');
  const user = await q.userByIdOrHandle(ctx.db, handle);
  if (!user || /^\d+$/.test(handle)) throw new NotFound('user', handle);
  return user.id;
}
