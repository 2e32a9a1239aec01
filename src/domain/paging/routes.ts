import { z } from 'zod';
import { NotFound } from '../../errors.ts';
import { html } from '../../lib/html.ts';
import type { App } from '../http-app.ts';
import { incidentIdSchema } from '../incidents/inputs.ts';
import { type AckLinkView, acknowledgeByToken, describeAckToken } from './acknowledge-page.ts';
import { getPage, listIncidentPages, listPages, listPagesQuerySchema } from './list-pages.ts';
import { pageInputSchema, pageManually } from './page-manually.ts';

const tags = ['paging'];
const tokenParams = z.strictObject({
  token: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'an acknowledge token'),
});

// Thin: validate, call the operation, shape the answer.
export function registerPagingRoutes(app: App): void {
  app.post(
    '/api/v1/pages',
    {
      schema: {
        tags,
        body: pageInputSchema,
        summary: 'Page a user, schedule, team or escalation policy now',
      },
    },
    async (request, reply) => {
      const page = await pageManually({ ctx: request.ctx, input: request.body });
      reply.status(201);
      return { page };
    },
  );
  app.get(
    '/api/v1/pages',
    { schema: { tags, querystring: listPagesQuerySchema, summary: 'Every page, newest first' } },
    async (request) => listPages({ ctx: request.ctx, input: request.query }),
  );
  app.get(
    '/api/v1/pages/:id',
    { schema: { tags, params: z.strictObject({ id: z.string() }), summary: 'A page and its messages' } },
    async (request) => {
      const page = await getPage({ ctx: request.ctx, input: { id: request.params.id } });
      if (!page) throw new NotFound('page', request.params.id);
      return { page };
    },
  );
  app.get(
    '/api/v1/incidents/:id/pages',
    {
      schema: {
        tags,
        params: z.strictObject({ id: incidentIdSchema }),
        summary: 'Page history: who was notified, how, when, and whether it was delivered',
      },
    },
    async (request) => listIncidentPages({ ctx: request.ctx, input: { incidentId: request.params.id } }),
  );

  // The link in a page. Opening it only asks (mail scanners and link previews open links); the
  // button posts, and that acknowledges as the person paged. Each handler returns the reply it sent:
  // an async handler that sends and resolves to undefined is sent a second time by Fastify while the
  // first answer's onSend hooks still run (ERR_HTTP_HEADERS_SENT, the raw token in the warning).
  app.get(
    '/ack/:token',
    { schema: { hide: true, params: tokenParams }, config: { public: true } },
    async (request, reply) => {
      let view: AckLinkView;
      try {
        view = await describeAckToken(request.ctx, request.params.token);
      } catch (error) {
        if (!(error instanceof NotFound)) throw error;
        return reply.status(404).type('text/html; charset=utf-8').send(invalidLink());
      }
      const inc = view.incident;
      const what = inc
        ? html`<p><strong>Incident #${inc.id}: ${inc.title}</strong><br>${inc.severity}, ${inc.state}${inc.acknowledged ? ' — already acknowledged' : ''}</p>`
        : html`<p>A page sent to ${view.user} without an incident.</p>`;
      const page = ackPage(
        inc ? `Acknowledge incident #${inc.id}?` : 'Acknowledge this page?',
        html`${what}<form method="post"><button type="submit">Acknowledge as ${view.user}</button></form>
<p>Acknowledging tells the team you are on it and stops the escalation: nobody else is paged for this
incident (the plan's time-based tiers, if any, still notify). It does not resolve the incident.</p>`,
      );
      return reply.type('text/html; charset=utf-8').send(page);
    },
  );
  app.post(
    '/ack/:token',
    { schema: { hide: true, params: tokenParams }, config: { public: true } },
    async (request, reply) => {
      try {
        const ack = await acknowledgeByToken(request.ctx, request.params.token);
        const what = ack.incidentId ? html`incident ${ack.incidentId}` : html`the page`;
        const page = ackPage(
          ack.changed ? 'Acknowledged' : 'Already acknowledged',
          html`<p>${ack.user}, ${what} is acknowledged. Paging has stopped.</p>`,
        );
        return reply.type('text/html; charset=utf-8').send(page);
      } catch (error) {
        if (!(error instanceof NotFound)) throw error;
        return reply.status(404).type('text/html; charset=utf-8').send(invalidLink());
      }
    },
  );
}

function invalidLink(): string {
  return ackPage('Link not valid', html`<p>This acknowledge link is unknown or has expired.</p>`);
}

function ackPage(title: string, body: ReturnType<typeof html>): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Tocsin</title>
<style>body{font:18px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d2330}
button{font-size:1.2rem;padding:.6rem 1.4rem;border-radius:6px;border:0;background:#b3261e;color:#fff;cursor:pointer}</style>
</head><body><h1>${title}</h1>${body}</body></html>`.value;
}
