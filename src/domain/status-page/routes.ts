import { z } from 'zod';
import type { App } from '../http-app.ts';
import { createMaintenance } from './create-maintenance.ts';
import { deleteComponent } from './delete-component.ts';
import { getStatusPageConfig } from './get-status-page-config.ts';
import {
  componentInputSchema,
  componentNameSchema,
  componentStatusInputSchema,
  maintenanceInputSchema,
  maintenanceUpdateInputSchema,
  settingsInputSchema,
} from './inputs.ts';
import { saveComponent, showComponent } from './save-component.ts';
import { saveStatusPageSettings } from './save-settings.ts';
import { setComponentStatus } from './set-component-status.ts';
import { updateMaintenance } from './update-maintenance.ts';

// The status page's admin API (the public page is in public-routes.ts). Thin: the operations check
// permissions and rules.

const BASE = '/api/v1/status-page';
const tags = ['status page'];
const named = z.strictObject({ name: componentNameSchema });
const byId = z.strictObject({ id: z.string().regex(/^[1-9][0-9]{0,17}$/, 'an id is a positive integer') });

export function registerStatusPageAdminRoutes(app: App): void {
  app.get(BASE, { schema: { tags } }, (request) => getStatusPageConfig({ ctx: request.ctx, input: {} }));
  app.put(`${BASE}/settings`, { schema: { tags, body: settingsInputSchema } }, async (request) => ({
    settings: await saveStatusPageSettings({ ctx: request.ctx, input: request.body }),
  }));
  app.put(
    `${BASE}/components/:name`,
    { schema: { tags, params: named, body: componentInputSchema.omit({ name: true }) } },
    async (request, reply) => {
      const { change, component } = await saveComponent({
        ctx: request.ctx,
        input: { ...request.body, name: request.params.name },
      });
      if (change === 'created') reply.status(201);
      return { change, component: showComponent(component, new Map()) };
    },
  );
  app.delete(`${BASE}/components/:name`, { schema: { tags, params: named } }, async (request, reply) => {
    await deleteComponent({ ctx: request.ctx, input: { name: request.params.name } });
    reply.status(204);
  });
  app.post(
    `${BASE}/components/:name/status`,
    { schema: { tags, params: named, body: componentStatusInputSchema } },
    async (request) => {
      const { component, changed } = await setComponentStatus({
        ctx: request.ctx,
        input: { name: request.params.name, ...request.body },
      });
      return { changed, component: showComponent(component, new Map()) };
    },
  );
  app.post(
    `${BASE}/maintenances`,
    { schema: { tags, body: maintenanceInputSchema } },
    async (request, reply) => {
      reply.status(201);
      return { maintenance: await createMaintenance({ ctx: request.ctx, input: request.body }) };
    },
  );
  app.post(
    `${BASE}/maintenances/:id/updates`,
    { schema: { tags, params: byId, body: maintenanceUpdateInputSchema } },
    async (request) => ({
      maintenance: await updateMaintenance({
        ctx: request.ctx,
        input: { id: request.params.id, ...request.body },
      }),
    }),
  );
}
