import { Invalid, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { passwordSchema } from './auth.ts';
import { hashPassword } from './passwords.ts';
import * as q from './queries.ts';

/**
 * An admin sets (or, with null, removes) a user's password; the user's sessions end. The user is
 * named by id or handle. Also the way back in for an admin who lost theirs (the CLI on the store).
 */
export async function setUserPassword({
  ctx,
  input,
}: Operation<{ user: string; password: string | null }>): Promise<void> {
  ctx.require('user:write');
  let passwordHash: string | null = null;
  if (input.password !== null) {
    const parsed = passwordSchema.safeParse(input.password);
    if (!parsed.success) {
      throw new Invalid('the password is not acceptable', [
        { path: 'password', message: parsed.error.issues[0]?.message ?? 'invalid' },
      ]);
    }
    passwordHash = await hashPassword(parsed.data);
  }
  await ctx.db.transaction().execute(async (tx) => {
    const user = await q.userByIdOrHandle(tx, input.user);
    if (!user) throw new NotFound('user', input.user);
    const now = ctx.clock.now();
    await q.setPasswordHash(tx, user.id, passwordHash, now);
    await q.revokeUserSessions(tx, user.id, now);
    await audit.record(tx, ctx.actor, now, {
      action: passwordHash ? 'user.password_set' : 'user.password_removed',
      entityType: 'user',
      entityId: user.id,
      after: { via: 'admin' },
    });
  });
}
