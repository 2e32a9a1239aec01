import { NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as users from './queries.ts';
import { type PublicToken, publicToken } from './tokens.ts';

/**
 * Revokes one of the caller's tokens, or (admin) anyone's; it stops working at once. Revoking a
 * revoked token changes nothing. Someone else's token reads as not found to a non-admin.
 */
export async function revokeToken({ ctx, input }: Operation<{ id: string }>): Promise<PublicToken> {
  ctx.require('token:create-own');
  if (!/^\d{1,18}$/.test(input.id)) throw new NotFound('token', input.id);
  return ctx.db.transaction().execute(async (tx) => {
    const before = await users.lockToken(tx, input.id);
    const mine = before !== undefined && before.user_id === ctx.actor.userId;
    if (!before || (!mine && !ctx.can('token:manage-any'))) throw new NotFound('token', input.id);
    const now = ctx.clock.now();
    if (before.revoked_at) return publicToken(before, now);
    await users.revokeToken(tx, before.id, now);
    await audit.record(tx, ctx.actor, now, {
      action: 'token.revoked',
      entityType: 'api_token',
      entityId: before.id,
      before: { name: before.name, prefix: before.prefix, user: before.user },
      after: { revoked_at: now },
    });
    return publicToken({ ...before, revoked_at: now }, now);
  });
}
