import { z } from 'zod';
import type { App, RouteDeps } from '../http-app.ts';
import { createIntegration } from './create-integration.ts';
import { getService } from './get-service.ts';
import { listServices } from './list-services.ts';
import { rotateIntegrationKey } from './rotate-integration-key.ts';
import { saveService } from './save-service.ts';
import {
  INTEGRATION_TYPES,
  type Integration,
  integrationInputSchema,
  integrationUrl,
  serviceInputSchema,
} from './services.ts';

const nameParam = z.strictObject({ name: z.string().min(1).max(63) });

export function registerServiceRoutes(app: App, deps: RouteDeps): void {
  const withUrl = (i: Integration) => ({ ...i, url: integrationUrl(deps.publicUrl, i.type, i.key) });

  app.get('/api/v1/services', { schema: { tags: ['services'] } }, async (request) => ({
    services: await listServices({ ctx: request.ctx, input: undefined }),
  }));
  app.post(
    '/api/v1/services',
    { schema: { tags: ['services'], body: serviceInputSchema } },
    async (request, reply) => {
      const { item } = await saveService({
        ctx: request.ctx,
        input: { service: request.body, mode: 'create' },
      });
      reply.status(201);
      return { service: item };
    },
  );
  app.get(
    '/api/v1/services/:name',
    { schema: { tags: ['services'], params: nameParam } },
    async (request) => {
      const { service, integrations } = await getService({ ctx: request.ctx, input: request.params });
      const showUrls = request.ctx.can('service:write');
      return { service, integrations: integrations.map((i) => (showUrls ? withUrl(i) : i)) };
    },
  );
  app.post(
    '/api/v1/services/:name/integrations',
    {
      schema: {
        tags: ['services'],
        params: nameParam,
        body: integrationInputSchema.omit({ service: true }),
        description: `type: ${INTEGRATION_TYPES.join(', ')}; the answer carries the key and the URL to give the sender`,
      },
    },
    async (request, reply) => {
      const created = await createIntegration({
        ctx: request.ctx,
        input: { ...request.body, service: request.params.name },
      });
      reply.status(201);
      return { integration: withUrl(created) };
    },
  );
  app.post(
    '/api/v1/services/:name/integrations/:integration/rotate',
    {
      schema: {
        tags: ['services'],
        params: z.strictObject({ name: z.string().min(1).max(63), integration: z.string().min(1).max(63) }),
      },
    },
    async (request) => {
      const rotated = await rotateIntegrationKey({
        ctx: request.ctx,
        input: { service: request.params.name, integration: request.params.integration },
      });
      return { integration: withUrl(rotated) };
    },
  );
}
