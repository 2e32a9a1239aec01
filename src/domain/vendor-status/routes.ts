import { z } from 'zod';
import type { App } from '../http-app.ts';
import { createVendorWatch } from './create-vendor-watch.ts';
import { deleteVendorWatch } from './delete-vendor-watch.ts';
import { getVendorWatch } from './get-vendor-watch.ts';
import { listVendorWatches } from './list-vendor-watches.ts';
import { listVendorWatchesQuerySchema, vendorWatchInputSchema } from './vendor-status.ts';

const nameParam = z.strictObject({ name: z.string().min(1).max(63) });

export function registerVendorStatusRoutes(app: App): void {
  app.post(
    '/api/v1/vendor-watches',
    {
      schema: {
        tags: ['checks'],
        body: vendorWatchInputSchema,
        summary: 'Watch a vendor’s Statuspage (v2) status page; alert vendor:<name>:<component>',
      },
    },
    async (request, reply) => {
      reply.status(201);
      return { vendor_watch: await createVendorWatch({ ctx: request.ctx, input: request.body }) };
    },
  );
  app.get(
    '/api/v1/vendor-watches',
    { schema: { tags: ['checks'], querystring: listVendorWatchesQuerySchema } },
    async (request) => ({
      vendor_watches: await listVendorWatches({ ctx: request.ctx, input: request.query }),
    }),
  );
  app.get(
    '/api/v1/vendor-watches/:name',
    { schema: { tags: ['checks'], params: nameParam } },
    async (request) => ({
      vendor_watch: await getVendorWatch({ ctx: request.ctx, input: request.params }),
    }),
  );
  app.delete(
    '/api/v1/vendor-watches/:name',
    { schema: { tags: ['checks'], params: nameParam, summary: 'Stop watching (resolves its open alerts)' } },
    async (request) => ({
      vendor_watch: await deleteVendorWatch({ ctx: request.ctx, input: request.params }),
    }),
  );
}
