import { NotFound, Unauthorized } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as q from './queries.ts';

/**
 * Ends one of the caller's own sessions (a browser left signed in elsewhere): its cookie stops working
 * at once. Someone else's session, or one already ended, is not found (ids of others are not revealed).
 */
export async function revokeSession({ ctx, input }: Operation<{ id: string }>): Promise<{ id: string }> {
  ctx.require('read');
  const userId = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
  if (!userId) throw new Unauthorized('sessions belong to a signed-in user');
  return ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now();
    const ended = await q.revokeUserSession(tx, userId, input.id, now);
    if (!ended) throw new NotFound('session', input.id);
    await audit.record(tx, ctx.actor, now, {
      action: 'session.revoked',
      entityType: 'user',
      entityId: userId,
      after: { session: ended.id, method: ended.method, ip: ended.ip, user_agent: ended.user_agent },
    });
    return { id: ended.id };
  });
}
