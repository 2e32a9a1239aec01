import { NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as q from './queries.ts';
import { sessionOwner } from './session-owner.ts';

/**
 * Ends one of the caller's own sessions (a browser left signed in elsewhere), or for admins one of the
 * named user's (a lost laptop): its cookie stops working at once. A session not of that user, or one
 * already ended, is not found (ids of others are not revealed). Audited against the session's owner.
 */
export async function revokeSession({
  ctx,
  input,
}: Operation<{ id: string; user?: string | undefined }>): Promise<{ id: string }> {
  const userId = await sessionOwner(ctx, input.user);
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
