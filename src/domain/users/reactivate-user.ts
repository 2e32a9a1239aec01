import { inTx } from '../../db/tx.ts';
import { NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import { revokeUserSessions } from '../auth/queries.ts';
import type { Operation } from '../context.ts';
import * as users from './queries.ts';
import { publicUser, type User } from './users.ts';

/**
 * Reactivates a person who came back: they can be paged and sign in again. Sign-in checks only
 * skip a deactivated user, so the tokens and sessions they held before would work again: those are
 * revoked here (a returning person signs in afresh or is given new tokens). Audited in the same
 * transaction; reactivating an active user changes nothing.
 */
export async function reactivateUser({ ctx, input }: Operation<{ handle: string }>): Promise<User> {
  ctx.require('user:write');
  return inTx(ctx.db, async (tx) => {
    const before = await users.lockByHandle(tx, input.handle);
    if (!before) throw new NotFound('user', input.handle);
    if (!before.deactivated_at) return before;
    const now = ctx.clock.now();
    const after = await users.update(tx, before.id, { deactivated_at: null, updated_at: now });
    const tokensRevoked = await users.revokeTokensOf(tx, before.id, now);
    const sessions = await revokeUserSessions(tx, before.id, now);
    await audit.record(tx, ctx.actor, now, {
      action: 'user.reactivated',
      entityType: 'user',
      entityId: after.id,
      before: publicUser(before),
      after: {
        ...publicUser(after),
        tokens_revoked: tokensRevoked,
        sessions_revoked: Number(sessions[0]?.numUpdatedRows ?? 0),
      },
    });
    return after;
  });
}
