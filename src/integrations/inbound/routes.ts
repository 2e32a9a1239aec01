import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ingestAlertEvents } from '../../domain/alerts/ingest-alert-events.ts';
import { type Actor, makeCtx } from '../../domain/context.ts';
import * as services from '../../domain/services/queries.ts';
import type { Integration } from '../../domain/services/services.ts';
import { NotFound } from '../../errors.ts';
import { mapError } from '../../http/error-mapping.ts';
import type { App, AppDeps } from '../../http/server.ts';
import { formatFor } from './formats.ts';
import { parsePagerDutyEnvelope, toAlertEvent } from './pagerduty-events-v2.ts';

function integrationActor(integration: Pick<Integration, 'name' | 'id'>): Actor {
  return {
    kind: 'system',
    userId: null,
    name: `integration:${integration.name}`,
    role: null,
    leadership: false,
  };
}

/** PagerDuty's error shape, for every error at /v2/enqueue (parse failures included). */
function pagerDutyError(reply: FastifyReply, status: number, message: string, errors: string[]) {
  return reply.status(status).send({ status: status === 400 ? 'invalid event' : 'error', message, errors });
}

export function registerInboundRoutes(app: App, deps: AppDeps): void {
  // Senders authenticate with the integration key, not an API token.
  app.register(async (pd) => {
    pd.setErrorHandler((error, request, reply) => {
      const { status, body } = mapError(error);
      if (status >= 500) request.log.error({ err: error }, 'inbound event failed');
      const reason = status === 400 ? 'Event object is invalid' : body.error.message;
      return pagerDutyError(reply, status, reason, [body.error.message]);
    });
    pd.post(
      '/v2/enqueue',
      { config: { public: true }, schema: { tags: ['inbound'], summary: 'PagerDuty Events API v2' } },
      async (request, reply) => {
        const envelope = parsePagerDutyEnvelope(request.body);
        if (!envelope.ok) return pagerDutyError(reply, 400, 'Event object is invalid', envelope.errors);
        const integration = await services.integrationByKey(deps.db, envelope.routingKey);
        if (!integration || integration.type !== 'pagerduty') {
          return pagerDutyError(reply, 400, 'Event object is invalid', [
            "'routing_key' is invalid: no such integration",
          ]);
        }
        const parsed = toAlertEvent(envelope.event, () => randomBytes(16).toString('hex'));
        if (!parsed.ok) return pagerDutyError(reply, 400, 'Event object is invalid', parsed.errors);
        const [result] = await ingestAlertEvents({
          ctx: makeCtx({ db: deps.db, clock: deps.clock, log: deps.log }, integrationActor(integration)),
          input: { integration, events: parsed.events },
        });
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
      schema: {
        tags: ['inbound'],
        summary: 'Alerts from Alertmanager, Grafana, Datadog, Sentry or a generic JSON webhook',
        params: z.strictObject({ type: z.string().max(40), key: z.string().max(100) }),
      },
    },
    async (request, reply) => {
      const { type, key } = request.params;
      const format = formatFor(type);
      const integration = format ? await services.integrationByKey(deps.db, key) : undefined;
      if (!format || !integration || integration.type !== type)
        throw new NotFound('integration', `${type}/${key.slice(0, 4)}…`);
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
      const results = await ingestAlertEvents({
        ctx: makeCtx({ db: deps.db, clock: deps.clock, log: deps.log }, integrationActor(integration)),
        input: { integration, events: parsed.events },
      });
      return reply.status(202).send({ status: 'accepted', alerts: results });
    },
  );
}
