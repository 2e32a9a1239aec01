import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { NotFound } from '../../errors.ts';
import { mapError } from '../../http/error-mapping.ts';
import type { App } from '../http-app.ts';
import { incidentIdSchema } from '../incidents/inputs.ts';
import {
  deployToChange,
  deployWebhookSchema,
  incidentChangesQuerySchema,
  listChangesQuerySchema,
} from './changes.ts';
import { listChanges } from './list-changes.ts';
import { listIncidentChanges } from './list-incident-changes.ts';
import { parseChangeEvent } from './pagerduty-change-events.ts';
import { recordChange } from './record-change.ts';

/** PagerDuty's error shape, for every error at /v2/change/enqueue (as at /v2/enqueue). */
function pagerDutyError(reply: FastifyReply, status: number, message: string, errors: string[]) {
  if (status === 503) reply.header('retry-after', '1');
  return reply.status(status).send({ status: status === 400 ? 'invalid event' : 'error', message, errors });
}

const INVALID = 'Event object is invalid';

export function registerChangeRoutes(app: App): void {
  // Senders authenticate with the integration key, not an API token.
  app.register(async (pd) => {
    pd.setErrorHandler((error, request, reply) => {
      const { status, body } = mapError(error);
      if (status >= 500 && status !== 503) request.log.error({ err: error }, 'change event failed');
      if (error instanceof NotFound) {
        return pagerDutyError(reply, 400, INVALID, ["'routing_key' is invalid: no such integration"]);
      }
      return pagerDutyError(reply, status, status === 400 ? INVALID : body.error.message, [
        body.error.message,
      ]);
    });
    pd.post(
      '/v2/change/enqueue',
      {
        config: { public: true },
        schema: {
          tags: ['inbound'],
          summary: 'PagerDuty Change Events v2 (routing_key: a pagerduty integration key)',
        },
      },
      async (request, reply) => {
        const parsed = parseChangeEvent(request.body);
        if (!parsed.ok) return pagerDutyError(reply, 400, INVALID, parsed.errors);
        await recordChange({
          ctx: request.ctx,
          input: { key: parsed.routingKey, type: 'pagerduty', change: parsed.change },
        });
        return reply.status(202).send({ status: 'success', message: 'Change event processed' });
      },
    );
  });

  app.post(
    '/api/v1/integrations/deploy/:key',
    {
      config: { public: true },
      schema: {
        tags: ['inbound'],
        summary: 'A deploy or other change, from a CI pipeline (key: a deploy integration key)',
        params: z.strictObject({ key: z.string().max(100) }),
        body: deployWebhookSchema,
      },
    },
    async (request, reply) => {
      const change = await recordChange({
        ctx: request.ctx,
        input: { key: request.params.key, type: 'deploy', change: deployToChange(request.body) },
      });
      return reply.status(202).send({ status: 'accepted', change });
    },
  );

  app.get(
    '/api/v1/changes',
    {
      schema: {
        tags: ['changes'],
        querystring: listChangesQuerySchema,
        summary: 'Recent changes, newest first',
      },
    },
    async (request) => ({ changes: await listChanges({ ctx: request.ctx, input: request.query }) }),
  );
  app.get(
    '/api/v1/incidents/:id/changes',
    {
      schema: {
        tags: ['incidents'],
        params: z.strictObject({ id: incidentIdSchema }),
        querystring: incidentChangesQuerySchema,
        description: 'Changes of the incident’s services in the hours before it was declared (default 24)',
      },
    },
    async (request) =>
      listIncidentChanges({
        ctx: request.ctx,
        input: { incidentId: request.params.id, hours: request.query.hours },
      }),
  );
}
