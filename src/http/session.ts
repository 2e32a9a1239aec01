import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Env } from '../config/env.ts';
import {
  type AuthConfig,
  CSRF_HEADER,
  csrfMatches,
  csrfTokenOf,
  SESSION_COOKIE,
} from '../domain/auth/auth.ts';
import { authenticateSession } from '../domain/auth/authenticate-session.ts';
import type { ClientInfo, SignedIn } from '../domain/auth/start-session.ts';
import type { Actor } from '../domain/context.ts';
import { ANONYMOUS } from '../domain/context.ts';
import { Forbidden } from '../errors.ts';
import type { EventHub } from './event-hub.ts';
import type { AppDeps } from './server.ts';

// Browser sessions next to bearer tokens: a request without an Authorization header may carry the
// tocsin_session cookie instead, and then acts as that session's user — the same Actor, so every
// operation checks permissions exactly as for a token. A cookie is sent by the browser on its own,
// so a change authorised by it must also carry the session's CSRF token in X-CSRF-Token.

/** What the web console adds to the server's dependencies; all optional (tests and defaults). */
export interface ConsoleDeps {
  auth?: Partial<AuthConfig> | undefined;
  /** The live event fan-out (src/http/event-hub.ts); without it the stream answers 503. */
  events?: EventHub | undefined;
  /** The built console (default web/dist of the package). */
  webDir?: string | undefined;
  /** SSE heartbeat interval (default 15 s). */
  heartbeatMs?: number | undefined;
  /** The PostgreSQL server the console's drills make their throwaway databases on (the store's). */
  drillServerUrl?: string | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the request is authenticated by a session cookie. */
    session?: { id: string; token: string } | undefined;
  }
}

const DAY_MS = 86_400_000;

/** The sign-in settings of the environment. */
export function consoleAuthOf(env: Env): Partial<AuthConfig> {
  return {
    passwordSignIn: env.TOCSIN_PASSWORD_SIGN_IN,
    sessionIdleMs: env.TOCSIN_SESSION_IDLE_TIMEOUT,
    sessionMaxMs: env.TOCSIN_SESSION_MAX_AGE,
    oidc: env.TOCSIN_OIDC_PROVIDERS ?? [],
  };
}

export function authConfigOf(deps: AppDeps): AuthConfig {
  return {
    passwordSignIn: true,
    sessionIdleMs: DAY_MS,
    sessionMaxMs: 14 * DAY_MS,
    oidc: [],
    ...deps.console?.auth,
    publicUrl: deps.publicUrl,
  };
}

function secureCookies(deps: AppDeps): boolean {
  return deps.publicUrl.startsWith('https:');
}

/** The actor of a cookie-authenticated request; anonymous (and the stale cookie cleared) without a live session. */
export async function sessionActor(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: AppDeps,
): Promise<Actor> {
  const token = request.cookies?.[SESSION_COOKIE];
  if (!token) return ANONYMOUS;
  const found = await authenticateSession(deps.db, deps.clock, token, authConfigOf(deps));
  if (!found) {
    clearSessionCookie(reply, deps);
    return ANONYMOUS;
  }
  request.session = { id: found.sessionId, token };
  return found.actor;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a change authorised by the session cookie without the session's CSRF token. Public routes
 * (sign-in, reset) do not act on the cookie's authority, so they need none.
 */
export function refuseCrossSiteChange(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method) || request.routeOptions.config?.public) return;
  requireCsrf(request);
}

/** Refuses a request of a cookie session without its CSRF token (bearer requests pass). */
export function requireCsrf(request: FastifyRequest): void {
  if (!request.session) return;
  const given = request.headers[CSRF_HEADER];
  if (!csrfMatches(request.session.token, Array.isArray(given) ? given[0] : given)) {
    throw new Forbidden(
      'missing or wrong X-CSRF-Token header (from the sign-in answer or GET /api/v1/auth/session)',
    );
  }
}

export function csrfOfRequest(request: FastifyRequest): string | null {
  return request.session ? csrfTokenOf(request.session.token) : null;
}

export function setSessionCookie(reply: FastifyReply, signedIn: SignedIn, deps: AppDeps): void {
  const maxAge = Math.max(0, Math.floor((signedIn.expires_at.getTime() - deps.clock.now().getTime()) / 1000));
  reply.setCookie(SESSION_COOKIE, signedIn.token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: secureCookies(deps),
    path: '/',
    maxAge,
  });
}

export function clearSessionCookie(reply: FastifyReply, deps: AppDeps): void {
  reply.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'lax',
    secure: secureCookies(deps),
    path: '/',
  });
}

export function clientOf(request: FastifyRequest): ClientInfo {
  return {
    ip: request.ip,
    userAgent: request.headers['user-agent'],
    previousToken: request.cookies?.[SESSION_COOKIE],
  };
}
