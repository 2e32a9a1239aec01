import type { App } from '../http-app.ts';
import { listOutbox, listOutboxQuerySchema } from './list-outbox.ts';

export function registerNotificationRoutes(app: App): void {
  app.get(
    '/api/v1/outbox',
    {
      schema: {
        tags: ['notifications'],
        querystring: listOutboxQuerySchema,
        summary: 'Queued notifications and their delivery state (status=failed: dead letters)',
      },
    },
    async (request) => ({ messages: await listOutbox({ ctx: request.ctx, input: request.query }) }),
  );
}
