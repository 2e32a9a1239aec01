import { Invalid, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { type AuthConfig, LINK_TTL_MS, sessionUser } from './auth.ts';
import { emailLink, issueLink } from './issue-link.ts';
import * as q from './queries.ts';

export interface Invitation {
  user: ReturnType<typeof sessionUser>;
  sent_to: string;
  expires_at: Date;
  /** Also given to the admin, who may pass it on another way when email is not set up. */
  url: string;
}

/** Emails a user a one-time link to choose a password (admins). The user is named by id or handle. */
export async function inviteUser({
  ctx,
  input,
}: Operation<{ user: string; config: AuthConfig }>): Promise<Invitation> {
  ctx.require('user:write');
  if (!input.config.passwordSignIn) {
    throw new Invalid('password sign-in is switched off: invited users sign in with single sign-on');
  }
  return ctx.db.transaction().execute(async (tx) => {
    const user = await q.userByIdOrHandle(tx, input.user);
    if (!user) throw new NotFound('user', input.user);
    const email = user.email;
    if (!email) {
      throw new Invalid(`user ${user.handle} has no email address to send the invitation to`, [
        { path: 'email', message: 'required for an invitation' },
      ]);
    }
    const now = ctx.clock.now();
    const link = await issueLink(tx, user, 'invite', ctx.actor.name, input.config.publicUrl, now);
    const days = LINK_TTL_MS.invite / 86_400_000;
    await emailLink(
      tx,
      { ...user, email },
      link,
      {
        subject: 'You are invited to Tocsin',
        text: `${ctx.actor.name} invited you to Tocsin as ${user.handle}.\n\nChoose your password here (the link works once, for ${days} days):\n${link.url}`,
      },
      now,
    );
    await audit.record(tx, ctx.actor, now, {
      action: 'user.invited',
      entityType: 'user',
      entityId: user.id,
      after: { email, expires_at: link.expires_at },
    });
    return { user: sessionUser(user), sent_to: email, expires_at: link.expires_at, url: link.url };
  });
}
