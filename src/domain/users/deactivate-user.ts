import { inTx } from '../../db/tx.ts';
import { Invalid, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as users from './queries.ts';
import { publicUser, type User } from './users.ts';

/**
 * Deactivates a person who left: their API tokens stop working at once and nobody pages them; their
 * name stays on the incidents and audit entries they are part of. A repeat changes nothing.
 */
export async function deactivateUser({ ctx, input }: Operation<{ handle: string }>): Promise<User> {
  ctx.require('user:write');
  if (ctx.actor.name === input.handle && ctx.actor.kind === 'user') {
    throw new Invalid('you cannot deactivate yourself', [{ path: 'handle', message: 'is you' }]);
  }
  return inTx(ctx.db, async (tx) => {
    const before = await users.lockByHandle(tx, input.handle);
    if (!before) throw new NotFound('user', input.handle);
    if (before.deactivated_at) return before;
    const now = ctx.clock.now();
    const after = await users.update(tx, before.id, { deactivated_at: now, updated_at: now });
    await audit.record(tx, ctx.actor, now, {
      action: 'user.deactivated',
      entityType: 'user',
      entityId: after.id,
      before: publicUser(before),
      after: publicUser(after),
    });
    return after;
  });
}
