import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { loadEnv } from '../../config/env.ts';
import type { IngestResult } from '../../domain/alerts/alerts.ts';
import {
  DEFAULT_GROUP_COMMIT,
  GroupCommit,
  type GroupCommitOptions,
  type SubmitInput,
} from '../../domain/alerts/group-commit.ts';
import type { AppliedEvent } from '../../domain/alerts/ingest-alert-events.ts';
import type { App, RouteDeps } from '../../domain/http-app.ts';
import { NotFound } from '../../errors.ts';
import { mapError } from '../../http/error-mapping.ts';
import { keepRawBody } from '../../http/json-body.ts';
import { formatFor } from './formats.ts';
import { IntegrationCache } from './integration-cache.ts';
import { parsePagerDutyEnvelope, toAlertEvent } from './pagerduty-events-v2.ts';

// Inbound alerts. Every request goes through one GroupCommit per server (group-commit.ts): it is
// answered only after the commit that holds its events. Back-pressure policy:
// - store unreachable, or too many events waiting to be stored → 503 (Alertmanager retries only on
//   5xx), with Retry-After, in each endpoint's own error format;
// - one dedup key repeated faster than TOCSIN_INGEST_KEY_RATE → the excess is counted on the open
//   alert but shed: 429 at /v2/enqueue (PagerDuty's answer to throttled events), 202 on the other
//   endpoints (never 429 to Alertmanager: it would not retry, and nothing was lost). See key-rate-limit.ts.

/** Settings from the environment (validated once at start by `tocsin serve`). */
export function ingestOptionsFromEnv(): Partial<GroupCommitOptions> {
  const env = loadEnv();
  return {
    maxQueuedEvents: env.TOCSIN_INGEST_QUEUE_LIMIT,
    keyRate: { rate: env.TOCSIN_INGEST_KEY_RATE, burst: env.TOCSIN_INGEST_KEY_BURST },
  };
}

const RETRY_AFTER_SECONDS = '1';

// The inbound routes log at warn and above only: Fastify's two info lines per request ("incoming
// request", "request completed") cost ≈ 20–40 µs of the process's CPU per alert at the default
// level (one alert is one request; wrk -c32, ~1 KB PagerDuty events: ≈ 205 → 170 µs per alert).
// Failures are still logged (5xx at error, 503 at warn), every answer is counted per route and
// status in /metrics (tocsin_http_requests_total), and the sender gets its own 4xx with the reason.
const INBOUND_LOG_LEVEL = 'warn';
const NO_BODY = Buffer.alloc(0);

/** PagerDuty's error shape, for every error at /v2/enqueue (parse failures included). */
function pagerDutyError(reply: FastifyReply, status: number, message: string, errors: string[]) {
  if (status === 503 || status === 429) reply.header('retry-after', RETRY_AFTER_SECONDS);
  return reply.status(status).send({ status: status === 400 ? 'invalid event' : 'error', message, errors });
}

const UNKNOWN_ROUTING_KEY = "'routing_key' is invalid: no such integration";

/** What a sender sees of a result (whether it was shed is said by the status code). */
const publicResult = ({ dedup_key, alert_id, outcome }: AppliedEvent): IngestResult => ({
  dedup_key,
  alert_id,
  outcome,
});

export function registerInboundRoutes(
  app: App,
  deps: RouteDeps,
  options: Partial<GroupCommitOptions> = ingestOptionsFromEnv(),
): void {
  const committer = new GroupCommit(deps.db, deps.clock, { ...DEFAULT_GROUP_COMMIT, ...options });
  const integrations = new IntegrationCache(deps.db);
  // Requests still queued are committed before the store closes (app.close() runs first).
  app.addHook('onClose', () => committer.close());

  /** Queues the events; a key that stopped being valid meanwhile reads as unknown. */
  async function submit(key: string, input: SubmitInput) {
    try {
      return await committer.submit(key, input);
    } catch (error) {
      if (error instanceof NotFound) integrations.forget(key);
      throw error;
    }
  }

  // Senders authenticate with the integration key, not an API token.
  app.register(async (pd) => {
    pd.setErrorHandler((error, request, reply) => {
      const { status, body } = mapError(error);
      if (status >= 500 && status !== 503) request.log.error({ err: error }, 'inbound event failed');
      if (error instanceof NotFound)
        return pagerDutyError(reply, 400, 'Event object is invalid', [UNKNOWN_ROUTING_KEY]);
      const reason = status === 400 ? 'Event object is invalid' : body.error.message;
      return pagerDutyError(reply, status, reason, [body.error.message]);
    });
    pd.post(
      '/v2/enqueue',
      {
        config: { public: true },
        logLevel: INBOUND_LOG_LEVEL,
        schema: { tags: ['inbound'], summary: 'PagerDuty Events API v2' },
      },
      async (request, reply) => {
        const envelope = parsePagerDutyEnvelope(request.body);
        if (!envelope.ok) return pagerDutyError(reply, 400, 'Event object is invalid', envelope.errors);
        const integration = await integrations.get(envelope.routingKey);
        if (integration?.type !== 'pagerduty') {
          return pagerDutyError(reply, 400, 'Event object is invalid', [UNKNOWN_ROUTING_KEY]);
        }
        const parsed = toAlertEvent(envelope.event, () => randomBytes(16).toString('hex'));
        if (!parsed.ok) return pagerDutyError(reply, 400, 'Event object is invalid', parsed.errors);
        const [result] = await submit(envelope.routingKey, { integration, events: parsed.events });
        if (result?.throttled) {
          reply.header('retry-after', RETRY_AFTER_SECONDS);
          return reply.status(429).send({
            status: 'throttle exceeded',
            message: `Events for dedup_key ${JSON.stringify(result.dedup_key)} are arriving too quickly; this one was counted as a repeat of the open alert but not otherwise applied. Slow down.`,
            dedup_key: result.dedup_key,
          });
        }
        return reply
          .status(202)
          .send({ status: 'success', message: 'Event processed', dedup_key: result?.dedup_key });
      },
    );
  });

  app.post(
    '/api/v1/integrations/:type/:key',
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
      onSend: async (_request, reply, payload) => {
        if (reply.statusCode === 503) reply.header('retry-after', RETRY_AFTER_SECONDS);
        return payload;
      },
    },
    async (request, reply) => {
      const { type, key } = request.params;
      const format = formatFor(type);
      const integration = format ? await integrations.get(key) : undefined;
      if (!format || !integration || integration.type !== type)
        throw new NotFound('integration', `${type}/${key.slice(0, 4)}…`);
      const verdict = format.verify?.(
        { body: request.rawBody ?? NO_BODY, headers: request.headers, now: deps.clock.now() },
        integration.config,
      );
      if (verdict && !verdict.ok) {
        // Nothing about the payload is said: the sender has not shown it holds the secret.
        return reply.status(401).send({
          error: {
            code: 'unauthorized',
            message: `the request does not carry this ${type} integration's signature or secret`,
            details: [{ path: 'headers', message: verdict.reason }],
          },
        });
      }
      const parsed = format.parse(request.body, integration);
      if (!parsed.ok) {
        return reply.status(400).send({
          error: {
            code: 'invalid',
            message: `not a valid ${type} payload`,
            details: parsed.errors.map((m) => ({ path: 'body', message: m })),
          },
        });
      }
      const results = await submit(key, { integration, events: parsed.events });
      return reply.status(202).send({ status: 'accepted', alerts: results.map(publicResult) });
    },
  );
}
