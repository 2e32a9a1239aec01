import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { OidcProviderEnv } from '../../config/env.ts';
import type { Row } from '../../db/schema.ts';

// Sign-in for people in a browser (issue 12): the rules shared by the auth operations. Secrets are
// random, shown once (a cookie, a link) and stored only as a SHA-256 hash: they are long enough that
// a fast hash suffices; passwords, which people choose, get argon2id (passwords.ts).

export const SESSION_COOKIE = 'tocsin_session';
export const CSRF_HEADER = 'x-csrf-token';

/** What the auth operations need from the configuration (src/config/env.ts → authConfigOf). */
export interface AuthConfig {
  /** Local passwords may be used (TOCSIN_PASSWORD_SIGN_IN); false: OpenID Connect only. */
  passwordSignIn: boolean;
  /** A session ends after this long without a request... */
  sessionIdleMs: number;
  /** ...and this long after sign-in, whatever happens. */
  sessionMaxMs: number;
  /** Base of the links in invites and reset emails. */
  publicUrl: string;
  oidc: OidcProviderConfig[];
}

/** One single sign-on provider (TOCSIN_OIDC_PROVIDERS, validated in src/config/env.ts). */
export type OidcProviderConfig = OidcProviderEnv;

export const LINK_TTL_MS = {
  first: 7 * 86_400_000,
  invite: 7 * 86_400_000,
  reset: 3_600_000,
} as const;
export type LinkPurpose = keyof typeof LINK_TTL_MS;

/** Where each one-time link opens in the console. */
export const LINK_PATH: Record<LinkPurpose, string> = {
  first: '/auth/first',
  invite: '/auth/accept',
  reset: '/auth/reset',
};

// Guessing is throttled per login and per address over a sliding window (stored, so every instance
// counts the same failures).
export const SIGN_IN_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_LOGIN = 5;
export const MAX_FAILURES_PER_ADDRESS = 50;

// Like API tokens, a session's last_seen_at is written at most once a minute.
export const SESSION_TOUCH_EVERY_MS = 60_000;

export const passwordSchema = z
  .string()
  .min(10, 'at least 10 characters')
  .max(256, 'at most 256 characters')
  .refine((p) => p.trim() !== '', 'must not be blank');

export const loginSchema = z.strictObject({
  login: z.string().min(1).max(320),
  password: z.string().min(1).max(256),
});

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * The CSRF token of a session: derived from the session's secret, so nothing more is stored and it
 * changes whenever the session does. Pages read it from the sign-in answer; a cross-site page
 * cannot, so it cannot send the X-CSRF-Token header a cookie-authenticated change needs.
 */
export function csrfTokenOf(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update('tocsin csrf').digest('base64url');
}

export function csrfMatches(sessionSecret: string, given: string | undefined): boolean {
  if (!given) return false;
  const expected = Buffer.from(csrfTokenOf(sessionSecret));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A login as typed: a user name or an email address, compared case-insensitively. */
export function normalizeLogin(login: string): string {
  return login.trim().toLowerCase();
}

/** Only a path on this site: never another origin ("//evil", "/\\evil", "https://…"). */
export function safeReturnTo(value: string | undefined): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  // Control characters (a smuggled newline or tab) make no sense in a path: refuse them.
  if ([...value].some((ch) => ch.charCodeAt(0) < 0x20)) return '/';
  return value.slice(0, 2000);
}

/** The user as the console sees it (the contract of /api/v1/auth/*). */
export function sessionUser(u: Row<'users'>) {
  return {
    id: u.id,
    handle: u.handle,
    name: u.name,
    email: u.email,
    role: u.role,
    time_zone: u.time_zone,
  };
}
export type SessionUser = ReturnType<typeof sessionUser>;

// Answer shapes of /api/v1/auth/* in the OpenAPI document, from which the console's types are made.
export const sessionUserSchema = z.object({
  id: z.string(),
  handle: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  role: z.enum(['viewer', 'responder', 'manager', 'admin']),
  time_zone: z.string(),
});
export const sessionAnswerSchema = z.object({
  user: sessionUserSchema,
  csrf_token: z
    .string()
    .nullable()
    .describe(
      'send as X-CSRF-Token with every change made with the session cookie (null with a bearer token)',
    ),
});

/** Whether a stored session is still live at `now`. */
export function sessionLive(
  s: Pick<Row<'sessions'>, 'expires_at' | 'last_seen_at' | 'revoked_at'>,
  now: Date,
  idleMs: number,
): boolean {
  if (s.revoked_at) return false;
  if (now.getTime() >= s.expires_at.getTime()) return false;
  return now.getTime() - s.last_seen_at.getTime() < idleMs;
}
