import { z } from 'zod';
import type { App } from '../http-app.ts';
import { checkInputSchema, listChecksQuerySchema } from './checks.ts';
import { createCheck } from './create-check.ts';
import { deleteCheck } from './delete-check.ts';
import { getCheck } from './get-check.ts';
import { listChecks } from './list-checks.ts';

const nameParam = z.strictObject({ name: z.string().min(1).max(63) });

export function registerCheckRoutes(app: App): void {
  app.post(
    '/api/v1/checks',
    {
      schema: {
        tags: ['checks'],
        body: checkInputSchema,
        summary: 'Add an HTTP check (the engine requests the URL every interval; alert check:<name>)',
      },
    },
    async (request, reply) => {
      reply.status(201);
      return { check: await createCheck({ ctx: request.ctx, input: request.body }) };
    },
  );
  app.get(
    '/api/v1/checks',
    { schema: { tags: ['checks'], querystring: listChecksQuerySchema } },
    async (request) => ({
      checks: await listChecks({ ctx: request.ctx, input: request.query }),
    }),
  );
  app.get('/api/v1/checks/:name', { schema: { tags: ['checks'], params: nameParam } }, async (request) => ({
    check: await getCheck({ ctx: request.ctx, input: request.params }),
  }));
  app.delete(
    '/api/v1/checks/:name',
    { schema: { tags: ['checks'], params: nameParam, summary: 'Delete a check (resolves its open alert)' } },
    async (request) => ({ check: await deleteCheck({ ctx: request.ctx, input: request.params }) }),
  );
}
