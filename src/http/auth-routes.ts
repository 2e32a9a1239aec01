import { z } from 'zod';
import { loginSchema, sessionAnswerSchema, sessionUserSchema } from '../domain/auth/auth.ts';
import { currentUser } from '../domain/auth/current-user.ts';
import { inviteUser } from '../domain/auth/invite-user.ts';
import { listSessions } from '../domain/auth/list-sessions.ts';
import { requestPasswordReset } from '../domain/auth/request-password-reset.ts';
import { revokeSession } from '../domain/auth/revoke-session.ts';
import { setPasswordWithLink } from '../domain/auth/set-password-with-link.ts';
import { setUserPassword } from '../domain/auth/set-user-password.ts';
import { signInWithPassword } from '../domain/auth/sign-in-with-password.ts';
import { signOut } from '../domain/auth/sign-out.ts';
import { handleSchema } from '../domain/users/handle.ts';
import { registerOidcRoutes } from './oidc-routes.ts';
import type { App, AppDeps } from './server.ts';
import {
  authConfigOf,
  clearSessionCookie,
  clientOf,
  csrfOfRequest,
  requireCsrf,
  setSessionCookie,
} from './session.ts';

const PUBLIC = { public: true } as const;

/** Sign-in for the web console (the contract in issue 12): thin routes over the auth operations. */
export function registerAuthRoutes(app: App, deps: AppDeps): void {
  const config = authConfigOf(deps);
  registerOidcRoutes(app, deps);

  const providersSchema = z.object({
    password: z.boolean().describe('whether local passwords may be used'),
    oidc: z.array(z.object({ id: z.string(), name: z.string() })).describe('start at /auth/oidc/{id}/start'),
  });
  app.get(
    '/api/v1/auth/providers',
    { schema: { tags: ['auth'], response: { 200: providersSchema } }, config: PUBLIC },
    async () => ({
      password: config.passwordSignIn,
      oidc: config.oidc.map((p) => ({ id: p.id, name: p.name })),
    }),
  );

  app.post(
    '/api/v1/auth/login',
    { schema: { tags: ['auth'], body: loginSchema, response: { 200: sessionAnswerSchema } }, config: PUBLIC },
    async (request, reply) => {
      const signedIn = await signInWithPassword({
        ctx: request.ctx,
        input: { ...request.body, ...clientOf(request), config },
      });
      setSessionCookie(reply, signedIn, deps);
      return { user: signedIn.user, csrf_token: signedIn.csrf_token };
    },
  );

  // Public so that an ended session answers 401 here, not the generic "token required".
  app.get(
    '/api/v1/auth/session',
    { schema: { tags: ['auth'], response: { 200: sessionAnswerSchema } }, config: PUBLIC },
    async (request) => ({
      user: await currentUser({ ctx: request.ctx, input: undefined }),
      // Bearer tokens need no CSRF token: browsers never send them on their own.
      csrf_token: csrfOfRequest(request),
    }),
  );

  // Public so that signing out always works and clears the cookie; a live session still needs CSRF.
  app.post('/api/v1/auth/logout', { schema: { tags: ['auth'] }, config: PUBLIC }, async (request, reply) => {
    if (request.session) {
      requireCsrf(request);
      await signOut({ ctx: request.ctx, input: { token: request.session.token } });
    }
    clearSessionCookie(reply, deps);
    // Returned: an async handler that sends and then resolves to undefined is answered twice.
    return reply.status(204).send();
  });

  const sessionSchema = z.object({
    id: z.string(),
    method: z.string().describe('how it signed in: password, oidc:<provider>, link'),
    created_at: z.date(),
    last_seen_at: z.date(),
    expires_at: z.date(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    current: z.boolean().describe('the session of this request'),
  });
  const sessionsQuery = z.strictObject({ user: handleSchema.optional().describe("another user's (admins)") });
  app.get(
    '/api/v1/auth/sessions',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Where you are signed in: your live sessions, most recently used first (admins: ?user=HANDLE)',
        querystring: sessionsQuery,
        response: { 200: z.object({ sessions: z.array(sessionSchema) }) },
      },
    },
    async (request) => ({
      sessions: await listSessions({
        ctx: request.ctx,
        input: {
          currentSessionId: request.session?.id ?? null,
          idleMs: config.sessionIdleMs,
          user: request.query.user,
        },
      }),
    }),
  );
  app.delete(
    '/api/v1/auth/sessions/:id',
    {
      schema: {
        tags: ['auth'],
        summary:
          "Sign one of your sessions out (admins: ?user=HANDLE, someone else's): its cookie stops working at once",
        params: z.strictObject({ id: z.string().regex(/^[0-9]{1,18}$/, 'a session id') }),
        querystring: sessionsQuery,
      },
    },
    async (request, reply) => {
      const ended = await revokeSession({
        ctx: request.ctx,
        input: { ...request.params, user: request.query.user },
      });
      if (ended.id === request.session?.id) clearSessionCookie(reply, deps);
      return { session: ended };
    },
  );

  app.post(
    '/api/v1/auth/reset',
    {
      schema: { tags: ['auth'], body: z.strictObject({ login: z.string().min(1).max(320) }) },
      config: PUBLIC,
    },
    async (request, reply) => {
      await requestPasswordReset({
        ctx: request.ctx,
        input: { login: request.body.login, ip: request.ip, config },
      });
      reply.status(202);
      return { status: 'if this login has an email address, a reset link is on its way' };
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      schema: {
        tags: ['auth'],
        body: z.strictObject({ token: z.string().min(1).max(200), password: z.string().max(1024) }),
        response: { 200: sessionAnswerSchema },
      },
      config: PUBLIC,
    },
    async (request, reply) => {
      const signedIn = await setPasswordWithLink({
        ctx: request.ctx,
        input: { ...request.body, ...clientOf(request), config },
      });
      setSessionCookie(reply, signedIn, deps);
      return { user: signedIn.user, csrf_token: signedIn.csrf_token };
    },
  );

  app.put(
    '/api/v1/users/:id/password',
    {
      schema: {
        tags: ['auth'],
        summary: "Set (or with null remove) a user's password (admins); the user's sessions end",
        params: z.strictObject({ id: z.string().min(1).max(100).describe('user id or handle') }),
        body: z.strictObject({ password: z.string().max(1024).nullable() }),
      },
    },
    async (request, reply) => {
      await setUserPassword({
        ctx: request.ctx,
        input: { user: request.params.id, password: request.body.password },
      });
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/users/:id/invite',
    {
      schema: {
        tags: ['auth'],
        params: z.strictObject({ id: z.string().min(1).max(100).describe('user id or handle') }),
        response: {
          201: z.object({
            invitation: z.object({
              user: sessionUserSchema,
              sent_to: z.string(),
              expires_at: z.string(),
              url: z.string().describe('the link emailed, for passing on another way'),
            }),
          }),
        },
      },
    },
    async (request, reply) => {
      const invitation = await inviteUser({ ctx: request.ctx, input: { user: request.params.id, config } });
      reply.status(201);
      return { invitation: { ...invitation, expires_at: invitation.expires_at.toISOString() } };
    },
  );
}
