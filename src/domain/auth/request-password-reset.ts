import * as audit from '../audit/queries.ts';
import { ANONYMOUS, type Operation } from '../context.ts';
import { type AuthConfig, normalizeLogin } from './auth.ts';
import { emailLink, issueLink } from './issue-link.ts';
import * as q from './queries.ts';

// At most this many reset emails per user and hour: the form is public, so it must not become a way
// to flood someone's mailbox.
const RESETS_PER_HOUR = 3;

/**
 * Emails a one-time reset link to the user a login names. The answer never says whether the login
 * exists (the caller always gets the same reply), so the form cannot be used to list accounts.
 */
export async function requestPasswordReset({
  ctx,
  input,
}: Operation<{ login: string; ip: string; config: AuthConfig }>): Promise<void> {
  if (!input.config.passwordSignIn) return;
  const login = normalizeLogin(input.login);
  await ctx.db.transaction().execute(async (tx) => {
    const user = await q.userByLogin(tx, login);
    const email = user?.email;
    if (!user || !email) return;
    const now = ctx.clock.now();
    const recent = await q.countRecentLinks(tx, user.id, 'reset', new Date(now.getTime() - 3_600_000));
    if (recent >= RESETS_PER_HOUR) return;
    const link = await issueLink(tx, user, 'reset', 'password reset', input.config.publicUrl, now);
    await emailLink(
      tx,
      { ...user, email },
      link,
      {
        subject: 'Reset your Tocsin password',
        text: `Someone (hopefully you) asked to reset the Tocsin password of ${user.handle}.\n\nChoose a new password here (the link works once, for one hour):\n${link.url}\n\nIf it was not you, ignore this email: your password stays as it is.`,
      },
      now,
    );
    await audit.record(tx, ANONYMOUS, now, {
      action: 'password.reset_requested',
      entityType: 'user',
      entityId: user.id,
      after: { ip: input.ip, expires_at: link.expires_at },
    });
  });
}
