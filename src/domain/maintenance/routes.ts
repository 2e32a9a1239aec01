import { z } from 'zod';
import type { App } from '../http-app.ts';
import { createSuppression } from './create-suppression.ts';
import { endSuppression } from './end-suppression.ts';
import { getSuppression } from './get-suppression.ts';
import { listSuppressions } from './list-suppressions.ts';
import { listSuppressionsQuerySchema, type SuppressionKind, suppressionInputSchema } from './maintenance.ts';

const idParam = z.strictObject({ id: z.string().max(40) });

// The same four routes for both kinds, each under its own path and answer key.
const KINDS: { kind: SuppressionKind; path: string; one: string; many: string; tag: string }[] = [
  {
    kind: 'maintenance',
    path: '/api/v1/maintenance-windows',
    one: 'maintenance_window',
    many: 'maintenance_windows',
    tag: 'maintenance',
  },
  { kind: 'silence', path: '/api/v1/silences', one: 'silence', many: 'silences', tag: 'maintenance' },
];

export function registerMaintenanceRoutes(app: App): void {
  for (const { kind, path, one, many, tag } of KINDS) {
    const tags = [tag];
    app.post(path, { schema: { tags, body: suppressionInputSchema } }, async (request, reply) => {
      const created = await createSuppression({
        ctx: request.ctx,
        input: { kind, suppression: request.body },
      });
      reply.status(201);
      return { [one]: created };
    });
    app.get(path, { schema: { tags, querystring: listSuppressionsQuerySchema } }, async (request) => ({
      [many]: await listSuppressions({ ctx: request.ctx, input: { kind, query: request.query } }),
    }));
    app.get(`${path}/:id`, { schema: { tags, params: idParam } }, async (request) => ({
      [one]: await getSuppression({ ctx: request.ctx, input: { kind, id: request.params.id } }),
    }));
    app.post(`${path}/:id/end`, { schema: { tags, params: idParam } }, async (request) => ({
      [one]: await endSuppression({ ctx: request.ctx, input: { kind, id: request.params.id } }),
    }));
  }
}
