import { z } from 'zod';
import type { App } from '../http-app.ts';
import { inboxIdSchema, inboxQuerySchema } from './inbox.ts';
import { listInbox } from './list-inbox.ts';
import { markInboxItemRead } from './mark-read.ts';

const tags = ['inbox'];

export function registerInboxRoutes(app: App): void {
  app.get(
    '/api/v1/inbox',
    { schema: { tags, querystring: inboxQuerySchema, summary: "The caller's notifications, newest first" } },
    async (request) => ({ items: await listInbox({ ctx: request.ctx, input: request.query }) }),
  );
  app.post(
    '/api/v1/inbox/:id/read',
    {
      schema: {
        tags,
        params: z.strictObject({ id: inboxIdSchema }),
        summary: 'Mark one of your notifications read',
      },
    },
    async (request) => ({ item: await markInboxItemRead({ ctx: request.ctx, input: request.params }) }),
  );
}
