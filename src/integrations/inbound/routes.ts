import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { GroupCommitOptions } from '../../domain/alerts/group-commit.ts';
import type { App, RouteDeps } from '../../domain/http-app.ts';
import { keepRawBody } from '../../http/json-body.ts';
import { type InboundAnswer, InboundEndpoints, ingestOptionsFromEnv } from './endpoints.ts';

// The Fastify routes of the two inbound alert endpoints: their OpenAPI documentation, app.inject in
// tests, and every request the lean path in front of Fastify passes on (fast-path.ts: another
// content type, an Authorization header or cookie, …). What they answer is decided in endpoints.ts,
// which both call.

/** The route URLs, as Fastify names them (also the `route` label of tocsin_http_requests_total). */
export const PAGERDUTY_ROUTE = '/v2/enqueue';
export const INTEGRATION_ROUTE = '/api/v1/integrations/:type/:key';

// The inbound routes log at warn and above only: Fastify's two info lines per request ("incoming
// request", "request completed") cost ≈ 20–40 µs of the process's CPU per alert at the default
// level (one alert is one request; wrk -c32, ~1 KB PagerDuty events: ≈ 205 → 170 µs per alert).
// Failures are still logged (5xx at error, 503 at warn), every answer is counted per route and
// status in /metrics (tocsin_http_requests_total), and the sender gets its own 4xx with the reason.
const INBOUND_LOG_LEVEL = 'warn';

function send(reply: FastifyReply, answer: InboundAnswer) {
  if (answer.headers) reply.headers(answer.headers);
  return reply.status(answer.status).send(answer.body);
}

/** Registers both routes; returns what they call, for the lean path in front of Fastify. */
export function registerInboundRoutes(
  app: App,
  deps: RouteDeps,
  options: Partial<GroupCommitOptions> = ingestOptionsFromEnv(),
): InboundEndpoints {
  const inbound = new InboundEndpoints(deps, options);
  // Requests still queued are committed before the store closes (app.close() runs first).
  app.addHook('onClose', () => inbound.close());

  // Senders authenticate with the integration key, not an API token. Each route answers its own
  // failures (the body's included) in its own error format.
  app.post(
    PAGERDUTY_ROUTE,
    {
      config: { public: true },
      logLevel: INBOUND_LOG_LEVEL,
      schema: { tags: ['inbound'], summary: 'PagerDuty Events API v2' },
      errorHandler: (error, request, reply) => send(reply, inbound.pagerDutyFailure(error, request)),
    },
    async (request, reply) => send(reply, await inbound.pagerDuty(request.body, request)),
  );

  app.post(
    INTEGRATION_ROUTE,
    {
      config: { public: true },
      logLevel: INBOUND_LOG_LEVEL,
      schema: {
        tags: ['inbound'],
        summary: 'Alerts from Alertmanager, Grafana, Datadog, Sentry or a generic JSON webhook',
        description:
          '401 when the integration requires a signature or secret header (its config) that the request lacks',
        params: z.strictObject({ type: z.string().max(40), key: z.string().max(100) }),
      },
      preParsing: keepRawBody,
      errorHandler: (error, request, reply) => send(reply, inbound.integrationFailure(error, request)),
    },
    async (request, reply) => {
      const { type, key } = request.params;
      const input = { type, key, body: request.body, rawBody: request.rawBody, headers: request.headers };
      return send(reply, await inbound.integration(input, request));
    },
  );
  return inbound;
}
