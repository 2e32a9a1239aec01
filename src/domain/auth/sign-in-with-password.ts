import { Forbidden, RateLimited, Unauthorized } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import { ANONYMOUS, type Operation } from '../context.ts';
import {
  type AuthConfig,
  MAX_FAILURES_PER_ADDRESS,
  MAX_FAILURES_PER_LOGIN,
  normalizeLogin,
  SIGN_IN_WINDOW_MS,
} from './auth.ts';
import { verifyPassword } from './passwords.ts';
import * as q from './queries.ts';
import { type ClientInfo, type SignedIn, startSession } from './start-session.ts';

export interface PasswordSignIn extends ClientInfo {
  login: string;
  password: string;
  config: AuthConfig;
}

/**
 * Signs in with a user name or email and a password. Too many failures for the login or from the
 * address within the window are refused with 429 before the password is even checked; every failure
 * is stored and audited (committed before the 401), so all instances count the same.
 */
export async function signInWithPassword({ ctx, input }: Operation<PasswordSignIn>): Promise<SignedIn> {
  if (!input.config.passwordSignIn) {
    throw new Forbidden('password sign-in is switched off here: sign in with single sign-on');
  }
  const login = normalizeLogin(input.login);
  const now = ctx.clock.now();
  const since = new Date(now.getTime() - SIGN_IN_WINDOW_MS);
  await refuseWhileThrottled(ctx.db, login, input.ip, since, now);

  const user = await q.userByLogin(ctx.db, login);
  const ok = await verifyPassword(user?.password_hash, input.password);
  if (!user || !ok) {
    await ctx.db.transaction().execute(async (tx) => {
      await q.insertFailure(tx, { login, ip: input.ip, at: now });
      // The login is recorded only when it names a user: people sometimes type a password there.
      await audit.record(tx, ANONYMOUS, now, {
        action: 'sign_in.failed',
        entityType: 'user',
        entityId: user?.id ?? 'unknown',
        after: { ip: input.ip, reason: user ? 'wrong password' : 'unknown login' },
      });
    });
    throw new Unauthorized('wrong user name, email or password');
  }
  return ctx.db.transaction().execute(async (tx) => {
    await q.clearFailures(tx, login, since);
    return startSession(tx, user, 'password', input, input.config, now);
  });
}

async function refuseWhileThrottled(
  db: Parameters<typeof q.recentFailures>[0],
  login: string,
  ip: string,
  since: Date,
  now: Date,
): Promise<void> {
  const recent = await q.recentFailures(db, login, ip, since);
  const blocked =
    recent.login.count >= MAX_FAILURES_PER_LOGIN
      ? recent.login.oldest
      : recent.ip.count >= MAX_FAILURES_PER_ADDRESS
        ? recent.ip.oldest
        : undefined;
  if (!blocked) return;
  const retryAfterSeconds = Math.max(
    1,
    Math.ceil((blocked.getTime() + SIGN_IN_WINDOW_MS - now.getTime()) / 1000),
  );
  throw new RateLimited('too many failed sign-ins: wait before trying again', [], retryAfterSeconds);
}
