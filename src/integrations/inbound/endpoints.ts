import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { loadEnv } from '../../config/env.ts';
import type { IngestResult } from '../../domain/alerts/alerts.ts';
import {
  DEFAULT_GROUP_COMMIT,
  GroupCommit,
  type GroupCommitOptions,
  type SubmitInput,
} from '../../domain/alerts/group-commit.ts';
import type { AppliedEvent } from '../../domain/alerts/ingest-alert-events.ts';
import type { RouteDeps } from '../../domain/http-app.ts';
import { NotFound } from '../../errors.ts';
import { mapError } from '../../http/error-mapping.ts';
import { redactUrl } from '../../http/redact-url.ts';
import { formatFor } from './formats.ts';
import { IntegrationCache } from './integration-cache.ts';
import { parsePagerDutyEnvelope, toAlertEvent } from './pagerduty-events-v2.ts';

// The two inbound alert endpoints, as functions from a parsed request to an answer (status, headers,
// body). Both ways in call them: the Fastify routes (routes.ts: OpenAPI, app.inject in tests) and
// the lean node:http path in front of Fastify (fast-path.ts), which serves senders over the network.
// Every failure, including one of reading or parsing the body, becomes an answer here, in each
// endpoint's own error format, so both ways answer alike.
//
// Every request goes through one GroupCommit per server (group-commit.ts): it is answered only after
// the commit that holds its events. Back-pressure policy:
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

/** What either way in sends back. */
export interface InboundAnswer {
  status: number;
  headers?: Record<string, string> | undefined;
  body: unknown;
}

/** Where a failure is logged: the request's logger and URL (a Fastify request is one). */
export interface RequestLog {
  log: FastifyBaseLogger;
  url: string;
}

export interface IntegrationRequest {
  type: string;
  key: string;
  body: unknown;
  /** The body's bytes as received (signatures are checked against them); undefined without a body. */
  rawBody: Buffer | undefined;
  headers: IncomingHttpHeaders;
}

/** Senders retry overload (503) and throttling (429) after a second: the queue drains that fast. */
const RETRY_AFTER = { 'retry-after': '1' };
const NO_BODY = Buffer.alloc(0);
const UNKNOWN_ROUTING_KEY = "'routing_key' is invalid: no such integration";

/** PagerDuty's error shape, for every error at /v2/enqueue (parse failures included). */
function pagerDutyError(status: number, message: string, errors: string[]): InboundAnswer {
  return {
    status,
    headers: status === 503 || status === 429 ? RETRY_AFTER : undefined,
    body: { status: status === 400 ? 'invalid event' : 'error', message, errors },
  };
}

/** What a sender sees of a result (whether it was shed is said by the status code). */
const publicResult = ({ dedup_key, alert_id, outcome }: AppliedEvent): IngestResult => ({
  dedup_key,
  alert_id,
  outcome,
});

export class InboundEndpoints {
  private readonly committer: GroupCommit;
  private readonly integrations: IntegrationCache;

  constructor(
    private readonly deps: Pick<RouteDeps, 'db' | 'clock'> & Partial<Pick<RouteDeps, 'log'>>,
    options: Partial<GroupCommitOptions> = ingestOptionsFromEnv(),
  ) {
    this.committer = new GroupCommit(deps.db, deps.clock, { ...DEFAULT_GROUP_COMMIT, ...options }, deps.log);
    this.integrations = new IntegrationCache(deps.db);
  }

  /** Stops taking requests; resolves once every queued one is committed (or failed). */
  close(): Promise<void> {
    return this.committer.close();
  }

  /** POST /v2/enqueue (PagerDuty Events API v2), its body parsed. */
  async pagerDuty(body: unknown, request: RequestLog): Promise<InboundAnswer> {
    try {
      const envelope = parsePagerDutyEnvelope(body);
      if (!envelope.ok) return pagerDutyError(400, 'Event object is invalid', envelope.errors);
      const integration = await this.integrations.get(envelope.routingKey);
      if (integration?.type !== 'pagerduty') {
        return pagerDutyError(400, 'Event object is invalid', [UNKNOWN_ROUTING_KEY]);
      }
      const parsed = toAlertEvent(envelope.event, () => randomBytes(16).toString('hex'));
      if (!parsed.ok) return pagerDutyError(400, 'Event object is invalid', parsed.errors);
      const [result] = await this.submit(envelope.routingKey, { integration, events: parsed.events });
      if (result?.throttled) {
        return {
          status: 429,
          headers: RETRY_AFTER,
          body: {
            status: 'throttle exceeded',
            message: `Events for dedup_key ${JSON.stringify(result.dedup_key)} are arriving too quickly; this one was counted as a repeat of the open alert but not otherwise applied. Slow down.`,
            dedup_key: result.dedup_key,
          },
        };
      }
      return {
        status: 202,
        body: { status: 'success', message: 'Event processed', dedup_key: result?.dedup_key },
      };
    } catch (error) {
      return this.pagerDutyFailure(error, request);
    }
  }

  /** Any failure at /v2/enqueue (the body's too, e.g. bad JSON), in PagerDuty's error format. */
  pagerDutyFailure(error: unknown, request: RequestLog): InboundAnswer {
    const { status, body } = mapError(error);
    if (status >= 500 && status !== 503)
      request.log.error({ err: error, url: redactUrl(request.url) }, 'inbound event failed');
    if (error instanceof NotFound)
      return pagerDutyError(400, 'Event object is invalid', [UNKNOWN_ROUTING_KEY]);
    const reason = status === 400 ? 'Event object is invalid' : body.error.message;
    return pagerDutyError(status, reason, [body.error.message]);
  }

  /** POST /api/v1/integrations/:type/:key, its body parsed (and kept as received in rawBody). */
  async integration(input: IntegrationRequest, request: RequestLog): Promise<InboundAnswer> {
    try {
      const { type, key } = input;
      const format = formatFor(type);
      const integration = format ? await this.integrations.get(key) : undefined;
      if (!format || !integration || integration.type !== type)
        throw new NotFound('integration', `${type}/${key.slice(0, 4)}…`);
      const verdict = format.verify?.(
        { body: input.rawBody ?? NO_BODY, headers: input.headers, now: this.deps.clock.now() },
        integration.config,
      );
      if (verdict && !verdict.ok) {
        // Nothing about the payload is said: the sender has not shown it holds the secret.
        return {
          status: 401,
          body: {
            error: {
              code: 'unauthorized',
              message: `the request does not carry this ${type} integration's signature or secret`,
              details: [{ path: 'headers', message: verdict.reason }],
            },
          },
        };
      }
      const parsed = format.parse(input.body, integration);
      if (!parsed.ok) {
        return {
          status: 400,
          body: {
            error: {
              code: 'invalid',
              message: `not a valid ${type} payload`,
              details: parsed.errors.map((m) => ({ path: 'body', message: m })),
            },
          },
        };
      }
      const results = await this.submit(key, { integration, events: parsed.events });
      return { status: 202, body: { status: 'accepted', alerts: results.map(publicResult) } };
    } catch (error) {
      return this.integrationFailure(error, request);
    }
  }

  /** Any failure at /api/v1/integrations/:type/:key (the body's too), in the API's error format. */
  integrationFailure(error: unknown, request: RequestLog): InboundAnswer {
    const { status, body, headers } = mapError(error);
    if (status === 503) {
      request.log.warn({ err: error, url: redactUrl(request.url) }, 'store unavailable');
      return { status, body, headers: RETRY_AFTER };
    }
    if (status >= 500) request.log.error({ err: error, url: redactUrl(request.url) }, 'inbound event failed');
    return { status, body, headers };
  }

  /** Queues the events; a key that stopped being valid meanwhile reads as unknown. */
  private async submit(key: string, input: SubmitInput) {
    try {
      return await this.committer.submit(key, input);
    } catch (error) {
      if (error instanceof NotFound) this.integrations.forget(key);
      throw error;
    }
  }
}
