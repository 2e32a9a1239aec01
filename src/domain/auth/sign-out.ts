import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { hashSecret } from './auth.ts';
import * as q from './queries.ts';

/** Ends the session of this cookie (a repeat, or an unknown cookie, changes nothing). */
export async function signOut({ ctx, input }: Operation<{ token: string }>): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now();
    const ended = await q.revokeSessionByHash(tx, hashSecret(input.token), now);
    if (!ended) return;
    await audit.record(tx, ctx.actor, now, {
      action: 'session.ended',
      entityType: 'user',
      entityId: ended.user_id,
      after: { session: ended.id },
    });
  });
}
