import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { packageRoot } from '../../lib/package-root.ts';
import type { App, RouteDeps } from '../http-app.ts';
import { cachedRendering } from './cache.ts';
import { type FeedFormat, renderFeed } from './feeds.ts';
import type { StatusView } from './load-status-page.ts';
import { renderStatusPage } from './render-html.ts';
import { negotiateLanguage } from './status-page.ts';
import { STATUSPAGE_DOCUMENTS, type StatuspageDocument, statuspageJson } from './statuspage-json.ts';

// The public status page: /status (HTML), /status/api/v2/*.json (Statuspage v2), and the history
// feeds. No token needed. Every answer carries an ETag and cache headers so a CDN can serve it;
// a matching If-None-Match gets a 304.

const query = z.object({ lang: z.string().max(35).optional() }).loose();
const schema = { hide: true, querystring: query };
/** Short enough that a published update reaches readers behind a CDN within a quarter minute. */
const CACHE_CONTROL = 'public, max-age=15, stale-while-revalidate=30';

function languageOf(request: FastifyRequest, view: StatusView): string {
  const q = request.query as { lang?: string };
  const accept = request.headers['accept-language'];
  return negotiateLanguage(view.languages, q.lang, Array.isArray(accept) ? accept[0] : accept);
}

export function registerStatusPageRoutes(app: App, deps: RouteDeps): void {
  async function serve(
    request: FastifyRequest,
    reply: FastifyReply,
    kind: string,
    type: string,
    render: (view: StatusView, language: string) => string,
  ) {
    let language = '';
    const r = await cachedRendering(
      deps.db,
      deps.clock,
      deps.publicUrl,
      (view) => {
        language = languageOf(request, view);
        return `${kind}:${language}`;
      },
      (view) => render(view, language),
    );
    const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    // Each encoding is its own representation, with its own ETag.
    const etag = gzip ? `${r.etag.slice(0, -1)}-gz"` : r.etag;
    reply
      .header('content-type', type)
      .header('etag', etag)
      .header('cache-control', CACHE_CONTROL)
      .header('vary', 'Accept-Language, Accept-Encoding')
      .header('content-language', language)
      .header('access-control-allow-origin', '*');
    const match = request.headers['if-none-match'];
    if (match?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
      return reply.status(304).send();
    }
    if (gzip) reply.header('content-encoding', 'gzip');
    return reply.send(gzip ? r.gzip : r.body);
  }

  const config = { public: true };
  app.get('/status', { schema, config }, (request, reply) =>
    serve(request, reply, 'html', 'text/html; charset=utf-8', renderStatusPage),
  );
  for (const doc of STATUSPAGE_DOCUMENTS) {
    app.get(`/status/api/v2/${doc}.json`, { schema, config }, (request, reply) =>
      serve(request, reply, doc, 'application/json; charset=utf-8', (view, language) =>
        JSON.stringify(statuspageJson(view, doc as StatuspageDocument, language)),
      ),
    );
  }
  for (const [format, type] of [
    ['rss', 'application/rss+xml; charset=utf-8'],
    ['atom', 'application/atom+xml; charset=utf-8'],
  ] as const) {
    app.get(`/status/history.${format}`, { schema, config }, (request, reply) =>
      serve(request, reply, format, type, (view, language) =>
        renderFeed(view, format as FeedFormat, language),
      ),
    );
  }
  // The page's icon: a file read from disk on each request, as a static file server does (the
  // benchmark's baseline, bench/status-page.ts).
  // Found from the package root: the compiled bundle (dist/) does not sit next to this file.
  const icon = join(packageRoot(), 'src', 'domain', 'status-page', 'favicon.svg');
  app.get('/status/favicon.svg', { schema: { hide: true }, config }, async (_request, reply) => {
    const { size, mtime } = await stat(icon);
    reply
      .type('image/svg+xml')
      .header('content-length', size)
      .header('last-modified', mtime.toUTCString())
      .header('cache-control', 'public, max-age=86400');
    return reply.send(createReadStream(icon));
  });
  // Statuspage shortlinks: an incident or maintenance is a section of the page.
  app.get(
    '/status/:kind(incidents|maintenances)/:id',
    {
      schema: { hide: true, params: z.object({ kind: z.string(), id: z.string().regex(/^\d{1,18}$/) }) },
      config,
    },
    (request, reply) => {
      const anchor = request.params.kind === 'incidents' ? 'incident' : 'maintenance';
      return reply.redirect(`/status#${anchor}-${request.params.id}`);
    },
  );
}
