import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { App } from '../http-app.ts';
import { pageBasics } from '../status-page/load-status-page.ts';
import { negotiateLanguage } from '../status-page/status-page.ts';
import { confirmSubscription } from './confirm-subscription.ts';
import { listSubscribersInputSchema, subscribeInputSchema } from './inputs.ts';
import { listSubscribers } from './list-subscribers.ts';
import { actionPage, errorPage, messagePage, type PageText } from './pages.ts';
import { subscribe } from './subscribe.ts';
import { CONFIRM_PATH, UNSUBSCRIBE_PATH } from './subscribers.ts';
import { removeSubscriber, unsubscribe } from './unsubscribe.ts';

// Subscribers: the public endpoints (Statuspage-style JSON, and the forms of the status page and of
// the links in emails) and the admin API. Thin: the operations check input, limits and permissions.

const ADMIN = '/api/v1/status-page/subscribers';
const tags = ['status page'];
const publicRoute = { public: true };
const byId = z.strictObject({ id: z.string().regex(/^[1-9][0-9]{0,17}$/, 'an id is a positive integer') });
const langQuery = z
  .object({ lang: z.string().max(35).optional(), token: z.string().max(200).optional() })
  .loose();

type Form = Record<string, string>;

function tokenQuery(request: FastifyRequest): string | undefined {
  return (request.query as { token?: string }).token;
}

function formOf(request: FastifyRequest): Form {
  return typeof request.body === 'string' ? Object.fromEntries(new URLSearchParams(request.body)) : {};
}

async function pageText(request: FastifyRequest, requested?: string): Promise<PageText> {
  const basics = await pageBasics(request.ctx.db);
  const accept = request.headers['accept-language'];
  const q = request.query as { lang?: string };
  return {
    pageName: basics.name,
    language: negotiateLanguage(
      basics.languages,
      requested ?? q.lang,
      Array.isArray(accept) ? accept[0] : accept,
    ),
  };
}

/** Runs a form's operation and answers an HTML page, also for a refused request. */
async function htmlAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  form: Form,
  run: (t: PageText) => Promise<string>,
) {
  const t = await pageText(request, form.lang);
  reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
  try {
    return await run(t);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const status = { invalid: 400, rate_limited: 429 }[error.code] ?? 409;
    reply.status(status);
    const detail = error.details.map((d) => d.message).join('; ');
    return errorPage(t, detail ? `${error.message}: ${detail}` : error.message);
  }
}

export function registerSubscriberRoutes(app: App): void {
  app.post(
    '/status/api/v2/subscribers',
    {
      schema: { tags, body: subscribeInputSchema, summary: 'Subscribe to the status page (public)' },
      config: publicRoute,
    },
    async (request, reply) => {
      const subscriber = await subscribe({ ctx: request.ctx, input: { ...request.body, ip: request.ip } });
      reply.status(202).header('cache-control', 'no-store');
      return {
        subscriber,
        message:
          subscriber.mode === 'email'
            ? 'check the inbox: the subscription starts once the emailed link is followed'
            : 'the endpoint receives a signed POST for each notice',
      };
    },
  );

  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 16_384 },
      (_req, body, done) => done(null, body),
    );
    const schema = { hide: true, querystring: langQuery };
    // The subscribe form of /status.
    scope.post('/status/subscribe', { schema, config: publicRoute }, (request, reply) => {
      const form = formOf(request);
      return htmlAnswer(request, reply, form, async (t) => {
        const components = (form.component_ids ?? '').split(',').filter((c) => c !== '');
        await subscribe({
          ctx: request.ctx,
          input: { email: form.email ?? '', component_ids: components, language: t.language, ip: request.ip },
        });
        reply.status(202);
        return messagePage(t, 'subscribe.title', 'subscribe.check_inbox');
      });
    });
    for (const [path, titleKey, buttonKey] of [
      [CONFIRM_PATH, 'subscribe.confirm_title', 'subscribe.confirm_button'],
      [UNSUBSCRIBE_PATH, 'subscribe.unsubscribe_title', 'subscribe.unsubscribe_button'],
    ] as const) {
      scope.get(path, { schema, config: publicRoute }, async (request, reply) => {
        const t = await pageText(request);
        reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
        return actionPage(t, path, tokenQuery(request) ?? '', titleKey, buttonKey);
      });
      // The button's POST; for unsubscribe also RFC 8058 one-click (token in the URL).
      scope.post(path, { schema, config: publicRoute }, (request, reply) => {
        const form = formOf(request);
        const token = form.token ?? tokenQuery(request) ?? '';
        return htmlAnswer(request, reply, form, async (t) => {
          if (path === CONFIRM_PATH) {
            await confirmSubscription({ ctx: request.ctx, input: { token } });
            return messagePage(t, titleKey, 'subscribe.confirmed');
          }
          await unsubscribe({ ctx: request.ctx, input: { token } });
          return messagePage(t, titleKey, 'subscribe.unsubscribed');
        });
      });
    }
  });

  app.get(ADMIN, { schema: { tags, querystring: listSubscribersInputSchema } }, async (request) => ({
    subscribers: await listSubscribers({ ctx: request.ctx, input: request.query }),
  }));
  app.delete(`${ADMIN}/:id`, { schema: { tags, params: byId } }, async (request) => ({
    subscriber: await removeSubscriber({ ctx: request.ctx, input: { id: request.params.id } }),
  }));
}
