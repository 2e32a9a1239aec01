import { readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../domain/auth/auth.ts';
import { packageRoot } from '../lib/package-root.ts';
import { hintsFor, readManifest } from './console-hints.ts';
import { homePage } from './home.ts';
import type { App, AppDeps } from './server.ts';

// Serves the built web console (web/dist, made by `npm run build:web`) at / with a fallback to its
// index.html for the console's own routes (/incidents/42, /oncall, /auth/accept …), so a link into
// the console opens the right page. Server paths are never shadowed: anything under them that no
// route answers is the usual JSON 404. Vite names bundled files by content hash under /assets/, so
// those are cached for a year, and sent brotli or gzip compressed from the build's own copies;
// everything else is revalidated (ETag) on each load.
// Without a build, / shows the start page saying so.

const DEFAULT_WEB_DIR = join(packageRoot(), 'web', 'dist');

/** Paths the server answers itself (API, inbound, status page, acknowledgements, sign-in, health). */
const SERVER_PATHS = /^\/(api|v2|status|ack|auth\/oidc|health|metrics)(\/|$)/;

const HASHED_ASSETS = /^assets\//;

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

export function registerConsole(app: App, deps: AppDeps): void {
  const root = resolve(deps.console?.webDir ?? DEFAULT_WEB_DIR);
  const index = resolve(root, 'index.html');
  // Only sendFile: the routes below decide what is served. The build may appear after start (built
  // on first start), so a missing folder is not worth a warning here: / says so instead.
  // preCompressed: the build writes .br/.gz beside each script and style sheet (web/vite.config.ts).
  void app.register(fastifyStatic, { root, serve: false, suppressWarning: true, preCompressed: true });

  const sendIndex = (reply: FastifyReply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
  // A page with preload hints (console-hints.ts) gets them in its <head>; any other, the file as built.
  const sendPage = async (request: FastifyRequest, reply: FastifyReply, path: string) => {
    const signedIn = Boolean(request.cookies?.[SESSION_COOKIE]);
    const hints = /^\/incidents\/[^/]+$/.test(path) ? hintsFor(path, await readManifest(root), signedIn) : '';
    if (!hints) return sendIndex(reply);
    const html = await readFile(index, 'utf8');
    return reply
      .header('cache-control', 'no-cache')
      .header('vary', 'cookie')
      .type('text/html; charset=utf-8')
      .send(html.replace('</head>', `${hints}</head>`));
  };
  const notBuilt = (reply: FastifyReply, status: number) =>
    reply
      .status(status)
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(homePage(deps, { consoleMissing: true }));

  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    (await isFile(index)) ? sendIndex(reply) : notBuilt(reply, 200),
  );

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = new URL(request.url, 'http://x').pathname;
    if (SERVER_PATHS.test(path)) return reply.callNotFound();
    let relative: string;
    try {
      relative = decodeURIComponent(path).replace(/^\/+/, '');
    } catch {
      return reply.callNotFound();
    }
    const file = resolve(root, relative);
    const inside = file.startsWith(root + sep);
    if (inside && (await isFile(file))) {
      return HASHED_ASSETS.test(relative)
        ? reply.sendFile(relative, root, { cacheControl: true, maxAge: '365d', immutable: true })
        : reply.header('cache-control', 'no-cache').sendFile(relative, root, { cacheControl: false });
    }
    // A missing script or image must not turn into the HTML page (the browser would misread it).
    if (!inside || /\.[a-z0-9]{1,8}$/i.test(path)) return reply.callNotFound();
    return (await isFile(index)) ? sendPage(request, reply, path) : notBuilt(reply, 404);
  });
}
