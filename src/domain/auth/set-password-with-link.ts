import { Forbidden, Invalid } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as users from '../users/queries.ts';
import { type AuthConfig, hashSecret, passwordSchema } from './auth.ts';
import { hashPassword } from './passwords.ts';
import * as q from './queries.ts';
import { actorOf, type ClientInfo, type SignedIn, startSession } from './start-session.ts';

export interface LinkPassword extends ClientInfo {
  token: string;
  password: string;
  config: AuthConfig;
}

/**
 * Sets a password through a one-time link (the first admin sign-in, an invitation, a reset) and
 * signs the user in. The link works once and not after it expires; every other session of the user
 * ends, since whoever held the old password may be the reason for the reset.
 */
export async function setPasswordWithLink({ ctx, input }: Operation<LinkPassword>): Promise<SignedIn> {
  if (!input.config.passwordSignIn) {
    throw new Forbidden('password sign-in is switched off here: sign in with single sign-on');
  }
  const password = passwordSchema.safeParse(input.password);
  if (!password.success) {
    throw new Invalid('the password is not acceptable', [
      { path: 'password', message: password.error.issues[0]?.message ?? 'invalid' },
    ]);
  }
  // Hashing takes tens of milliseconds: done before the transaction holds any lock.
  const passwordHash = await hashPassword(password.data);
  return ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now();
    const link = await q.lockLinkByHash(tx, hashSecret(input.token));
    if (!link || link.used_at || link.expires_at.getTime() <= now.getTime()) {
      throw new Invalid('this link is unknown, used or expired: ask for a new one', [
        { path: 'token', message: 'unknown, used or expired' },
      ]);
    }
    const user = await users.findById(tx, link.user_id);
    if (!user)
      throw new Invalid('this link is unknown, used or expired', [{ path: 'token', message: 'unknown' }]);
    await q.markLinkUsed(tx, link.id, now);
    await q.revokeUserSessions(tx, user.id, now);
    const updated = await q.setPasswordHash(tx, user.id, passwordHash, now);
    await audit.record(tx, actorOf(user), now, {
      action: 'user.password_set',
      entityType: 'user',
      entityId: user.id,
      after: { via: link.purpose },
    });
    return startSession(tx, updated, link.purpose, input, input.config, now);
  });
}
