import { z } from 'zod';
import { html } from '../lib/html.ts';
import { mapError } from './error-mapping.ts';
import type { App, AppDeps } from './server.ts';
import { authConfigOf, clientOf, setSessionCookie } from './session.ts';

// The browser side of single sign-on: /auth/oidc/:id/start sends the browser to the provider,
// /auth/oidc/:id/callback brings it back signed in (to the page it started from). The state goes
// into a short-lived cookie too, so only the browser that started a sign-in can finish it.

const STATE_COOKIE = 'tocsin_oidc';
const params = z.strictObject({ id: z.string().min(1).max(40) });

export function registerOidcRoutes(app: App, deps: AppDeps): void {
  const config = authConfigOf(deps);
  const secure = config.publicUrl.startsWith('https:');
  const cookieOptions = { httpOnly: true, sameSite: 'lax', secure, path: '/auth/oidc' } as const;

  app.get(
    '/auth/oidc/:id/start',
    {
      schema: {
        hide: true,
        params,
        querystring: z.strictObject({ return_to: z.string().max(2000).optional() }),
      },
    },
    async (request, reply) => {
      // openid-client is loaded with the first OIDC sign-in, not at start (issue 14, start).
      const { startOidcSignIn } = await import('../domain/auth/oidc.ts');
      const started = await startOidcSignIn({
        ctx: request.ctx,
        input: { provider: request.params.id, returnTo: request.query.return_to, config },
      });
      reply.setCookie(STATE_COOKIE, started.state, { ...cookieOptions, maxAge: 600 });
      return reply.redirect(started.url, 302);
    },
  );

  app.get('/auth/oidc/:id/callback', { schema: { hide: true, params } }, async (request, reply) => {
    reply.clearCookie(STATE_COOKIE, cookieOptions);
    try {
      const { finishOidcSignIn } = await import('../domain/auth/oidc.ts');
      const signedIn = await finishOidcSignIn({
        ctx: request.ctx,
        input: {
          ...clientOf(request),
          provider: request.params.id,
          callbackUrl: new URL(config.publicUrl + request.url),
          browserState: request.cookies[STATE_COOKIE],
          config,
        },
      });
      setSessionCookie(reply, signedIn, deps);
      return reply.redirect(signedIn.returnTo, 302);
    } catch (error) {
      // A person is looking at this answer, not a program: a page saying why, with a way back.
      const { status, body } = mapError(error);
      if (status >= 500) request.log.error({ err: error }, 'single sign-on failed');
      const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in failed · Tocsin</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}</style>
</head><body><h1>Sign-in failed</h1><p>${body.error.message}</p><p><a href="/">Back to Tocsin</a></p></body></html>`;
      return reply.status(status).type('text/html; charset=utf-8').send(page.value);
    }
  });
}
