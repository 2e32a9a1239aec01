import { z } from 'zod';
import type { App } from '../http-app.ts';
import { incidentIdSchema } from '../incidents/inputs.ts';
import { approveUpdate } from './approve-update.ts';
import { draftUpdate } from './draft-update.ts';
import { editUpdate } from './edit-update.ts';
import {
  approveBodySchema,
  editUpdateBodySchema,
  previewUpdateBodySchema,
  requestChangesBodySchema,
  updateIdSchema,
} from './inputs.ts';
import { listUpdates } from './list-updates.ts';
import { previewUpdate } from './preview-update.ts';
import { publishPendingUpdate } from './publish-pending-update.ts';
import { requestUpdateChanges } from './request-update-changes.ts';

// Reviewing updates: list with approval state, approve, request changes, edit, publish. Creating one
// is POST /api/v1/incidents/:id/updates (incidents/routes.ts).

const BASE = '/api/v1/incidents/:id/updates';
const tags = ['updates'];
const params = z.strictObject({ id: incidentIdSchema });
const one = z.strictObject({ id: incidentIdSchema, update: updateIdSchema });

export function registerUpdateRoutes(app: App): void {
  app.get(BASE, { schema: { tags, params } }, async (request) => ({
    updates: await listUpdates({ ctx: request.ctx, input: { incidentId: request.params.id } }),
  }));
  app.get(
    `${BASE}/draft`,
    {
      schema: {
        tags,
        params,
        querystring: z.strictObject({
          audience: z.enum(['internal', 'external']).default('external'),
          template: z.string().min(1).max(100).optional().describe('a template id of the plan'),
        }),
      },
    },
    async (request) => ({
      draft: await draftUpdate({
        ctx: request.ctx,
        input: { incidentId: request.params.id, ...request.query },
      }),
    }),
  );
  app.post(`${BASE}/preview`, { schema: { tags, params, body: previewUpdateBodySchema } }, async (request) =>
    previewUpdate({ ctx: request.ctx, input: { incidentId: request.params.id, ...request.body } }),
  );
  app.post(
    `${BASE}/:update/approve`,
    { schema: { tags, params: one, body: approveBodySchema.nullish() } },
    async (request) =>
      approveUpdate({
        ctx: request.ctx,
        input: { incidentId: request.params.id, updateId: request.params.update, ...(request.body ?? {}) },
      }),
  );
  app.post(
    `${BASE}/:update/request-changes`,
    { schema: { tags, params: one, body: requestChangesBodySchema } },
    async (request) =>
      requestUpdateChanges({
        ctx: request.ctx,
        input: { incidentId: request.params.id, updateId: request.params.update, ...request.body },
      }),
  );
  app.patch(
    `${BASE}/:update`,
    { schema: { tags, params: one, body: editUpdateBodySchema } },
    async (request) => ({
      update: await editUpdate({
        ctx: request.ctx,
        input: { incidentId: request.params.id, updateId: request.params.update, ...request.body },
      }),
    }),
  );
  app.post(`${BASE}/:update/publish`, { schema: { tags, params: one } }, async (request) => ({
    update: await publishPendingUpdate({
      ctx: request.ctx,
      input: { incidentId: request.params.id, updateId: request.params.update },
    }),
  }));
}
