import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { ANONYMOUS, type Ctx, makeCtx } from '../domain/context.ts';
import type { App, RouteDeps } from '../domain/http-app.ts';
import { IncidentListCache } from '../domain/incidents/list-cache.ts';
import { authenticate } from '../domain/users/authenticate.ts';
import { hashToken } from '../domain/users/users.ts';
import { Unauthorized } from '../errors.ts';
import { type FastPath, inboundFastPath } from '../integrations/inbound/fast-path.ts';
import { AuthFailureLimiter } from './auth-throttle.ts';
import { registerConsole } from './console.ts';
import { mapError } from './error-mapping.ts';
import type { EventHub } from './event-hub.ts';
import { registerHealthRoutes } from './health.ts';
import { fastifyJsonParse, registerJsonBodyParser } from './json-body.ts';
import type { Metrics } from './metrics.ts';
import { redactUrl, serializeRequest } from './redact-url.ts';
import { registerRoutes } from './routes.ts';
import { type ConsoleDeps, refuseCrossSiteChange, sessionActor } from './session.ts';

export type { App } from '../domain/http-app.ts';

export interface AppDeps extends RouteDeps {
  metrics: Metrics;
  bodyLimit: number;
  version: string;
  /** TOCSIN_METRICS_TOKEN: a bearer token for /metrics and /health/detailed only. */
  metricsToken?: string | undefined;
  /** Failed token checks per client address and minute before 429 (default 10). */
  authFailuresPerMinute?: number | undefined;
  /** Channels a provider serves (for /health/detailed); default: the providers the environment configures. */
  deliveryChannels?: readonly string[] | undefined;
  /** Web console: sign-in settings, live events, the built console (src/http/session.ts). */
  console?: ConsoleDeps | undefined;
  /** TOCSIN_INBOUND_FAST_PATH: serve the inbound alert endpoints in front of Fastify (default true). */
  inboundFastPath?: boolean | undefined;
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? '';
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export async function buildServer(deps: AppDeps): Promise<App> {
  // Set once the routes are registered; the listener only accepts connections after that.
  let fastPath: FastPath | undefined;
  const app = Fastify({
    // The listener: the inbound alert endpoints' lean path first (src/integrations/inbound/fast-path.ts),
    // Fastify for everything it passes on. Fastify's own settings for the server it would create.
    serverFactory: (handler, options) => {
      const server: Server = createServer((request, response) => {
        if (!fastPath?.(request, response)) handler(request, response);
      });
      const setting = (name: string) => (typeof options[name] === 'number' ? options[name] : 0);
      server.keepAliveTimeout = setting('keepAliveTimeout');
      server.requestTimeout = setting('requestTimeout');
      server.setTimeout(setting('connectionTimeout'));
      if (setting('maxRequestsPerSocket') > 0) server.maxRequestsPerSocket = setting('maxRequestsPerSocket');
      return server;
    },
    // Request logs carry the URL: secrets in it (ack tokens, integration keys, feed tokens) are redacted.
    loggerInstance: deps.log.child({}, { serializers: { req: serializeRequest } }),
    bodyLimit: deps.bodyLimit,
    // Unknown fields are an error (strict schemas), never silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>() as App;
  // Refuses invalid UTF-8, absurd nesting and \u0000 with a 400 before any route sees the body.
  registerJsonBodyParser(app);
  // Zod validation that keeps the ZodError, so error-mapping.ts can name each bad field exactly.
  app.setValidatorCompiler(({ schema }) => (data) => {
    const result = (schema as z.ZodType).safeParse(data);
    return result.success ? { value: result.data } : { error: result.error };
  });
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error, request, reply: FastifyReply) => {
    const { status, body, headers } = mapError(error);
    if (status >= 500 && status !== 503) {
      request.log.error({ err: error, url: redactUrl(request.url) }, 'request failed');
    } else if (status === 503) {
      request.log.warn({ err: error, url: redactUrl(request.url) }, 'store unavailable');
    }
    if (headers) reply.headers(headers);
    reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      error: { code: 'not_found', message: `no route ${request.method} ${request.url}`, details: [] },
    });
  });

  // Every request gets a context whose actor is the token's user (or anonymous). Operations decide
  // what that actor may do; a token that is present but unknown is refused here already.
  app.decorateRequest('ctx', null as unknown as Ctx);
  app.decorateRequest('monitoringToken', false);
  const failures = new AuthFailureLimiter(deps.clock, deps.authFailuresPerMinute ?? 10);
  const metricsToken = deps.metricsToken ? hashToken(deps.metricsToken) : undefined;
  // Parses cookies before the hook below reads the session cookie.
  await app.register(cookie);
  app.addHook('onRequest', async (request, reply) => {
    const token = bearer(request);
    if (token !== undefined) failures.check(request.ip);
    if (
      metricsToken &&
      token &&
      request.routeOptions.config?.monitoring &&
      sameHash(hashToken(token), metricsToken)
    ) {
      request.monitoringToken = true;
      request.ctx = makeCtx({ db: deps.db, clock: deps.clock, log: request.log as Logger }, ANONYMOUS);
      return;
    }
    // Without an Authorization header, a browser's session cookie may authenticate instead.
    const actor =
      token === undefined
        ? await sessionActor(request, reply, deps)
        : await authenticate(deps.db, deps.clock, token);
    if (!actor) {
      failures.fail(request.ip);
      throw new Unauthorized('the API token is not valid');
    }
    // Without a token, say so before validating the body: a 400 about fields would mislead.
    // What an authenticated actor may do is still decided by each operation.
    if (
      actor.kind === 'anonymous' &&
      request.url.startsWith('/api/v1/') &&
      !request.routeOptions.config?.public
    ) {
      throw new Unauthorized('an API token is required (Authorization: Bearer …)');
    }
    refuseCrossSiteChange(request);
    request.ctx = makeCtx({ db: deps.db, clock: deps.clock, log: request.log as Logger }, actor);
  });
  // How long the server took (authentication, the operation, serialising), for the browser's
  // resource timing: `npm run bench -- --console` prints it beside each API call of the incident page.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith('/api/'))
      reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(1)}`);
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    deps.metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tocsin API',
        version: deps.version,
        description: 'Incident response plans, run as code.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/v1/openapi.json', { schema: { hide: true }, config: { public: true } }, async () =>
    app.swagger(),
  );

  registerHealthRoutes(app, deps);
  registerConsole(app, deps);
  const { inbound } = await registerRoutes(app, deps, listCacheOf(app, deps.console?.events));
  if (deps.inboundFastPath ?? true) {
    const parseJson = fastifyJsonParse(app);
    fastPath = inboundFastPath({
      inbound,
      metrics: deps.metrics,
      log: app.log,
      bodyLimit: deps.bodyLimit,
      parseJson,
    });
  }
  return app;
}

/**
 * The incident list's answer cache (domain/incidents/list-cache.ts), on an instance that hears every
 * committed change (its event hub): dropped on each 'incident.changed' notification and on a
 * reconnection, unused while the hub's connection is down, and dropped by every write request on
 * this instance before it is answered (read your writes). None without a hub.
 */
function listCacheOf(app: App, hub: EventHub | undefined): IncidentListCache | undefined {
  if (!hub) return undefined;
  const cache = new IncidentListCache({ maxAgeMs: 2000, maxEntries: 64, listening: () => hub.listening() });
  hub.subscribe((message) => {
    if (message.type === 'resync' || message.event.kind === 'incident.changed') cache.invalidate();
  });
  app.addHook('onSend', async (request, _reply, payload) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS')
      cache.invalidate();
    return payload;
  });
  return cache;
}
