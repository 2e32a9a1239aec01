import { z } from 'zod';
import type { App } from '../http-app.ts';
import { acknowledgeAlert } from './acknowledge-alert.ts';
import { addAlertNote } from './add-alert-note.ts';
import { publicAlert } from './alerts.ts';
import { getAlert } from './get-alert.ts';
import { alertNoteSchema, listAlertsQuerySchema } from './inputs.ts';
import { listAlerts } from './list-alerts.ts';
import { resolveAlert } from './resolve-alert.ts';

const idParam = z.strictObject({ id: z.string().max(40) });

export function registerAlertRoutes(app: App): void {
  app.get(
    '/api/v1/alerts',
    { schema: { tags: ['alerts'], querystring: listAlertsQuerySchema } },
    async (request) => listAlerts({ ctx: request.ctx, input: request.query }),
  );
  app.get('/api/v1/alerts/:id', { schema: { tags: ['alerts'], params: idParam } }, async (request) =>
    getAlert({ ctx: request.ctx, input: { alertId: request.params.id } }),
  );
  app.post(
    '/api/v1/alerts/:id/acknowledge',
    { schema: { tags: ['alerts'], params: idParam } },
    async (request) => ({
      alert: publicAlert(await acknowledgeAlert({ ctx: request.ctx, input: { alertId: request.params.id } })),
    }),
  );
  app.post(
    '/api/v1/alerts/:id/resolve',
    { schema: { tags: ['alerts'], params: idParam } },
    async (request) => ({
      alert: publicAlert(await resolveAlert({ ctx: request.ctx, input: { alertId: request.params.id } })),
    }),
  );
  app.post(
    '/api/v1/alerts/:id/notes',
    { schema: { tags: ['alerts'], params: idParam, body: alertNoteSchema } },
    async (request, reply) => {
      reply.status(201);
      return {
        note: await addAlertNote({
          ctx: request.ctx,
          input: { alertId: request.params.id, text: request.body.text },
        }),
      };
    },
  );
}
