import { z } from 'zod';
import type { App } from '../http-app.ts';
import {
  actionItemIdSchema,
  createActionItemSchema,
  listActionItemsQuerySchema,
  updateActionItemSchema,
} from './action-items.ts';
import { createActionItem } from './create-action-item.ts';
import { getActionItem } from './get-action-item.ts';
import { listActionItems, openActionItemsByTeam } from './list-action-items.ts';
import { updateActionItem } from './update-action-item.ts';

const BASE = '/api/v1/action-items';
const tags = ['action-items'];
const params = z.strictObject({ id: actionItemIdSchema });

export function registerActionItemRoutes(app: App): void {
  app.get(
    BASE,
    { schema: { tags, querystring: listActionItemsQuerySchema, summary: 'Action items, soonest due first' } },
    async (request) => ({ action_items: await listActionItems({ ctx: request.ctx, input: request.query }) }),
  );
  app.get(
    `${BASE}/teams`,
    { schema: { tags, summary: 'Unfinished action items per team, and how many are overdue' } },
    async (request) => ({ teams: await openActionItemsByTeam({ ctx: request.ctx, input: {} }) }),
  );
  app.post(
    BASE,
    {
      schema: { tags, body: createActionItemSchema, summary: 'A new action item following from an incident' },
    },
    async (request, reply) => {
      const item = await createActionItem({ ctx: request.ctx, input: request.body });
      reply.status(201);
      return { action_item: item };
    },
  );
  app.get(`${BASE}/:id`, { schema: { tags, params, summary: 'One action item' } }, async (request) => ({
    action_item: await getActionItem({ ctx: request.ctx, input: { id: request.params.id } }),
  }));
  app.patch(
    `${BASE}/:id`,
    {
      schema: {
        tags,
        params,
        body: updateActionItemSchema,
        summary: 'Change an action item (status, owner, due …)',
      },
    },
    async (request) => ({
      action_item: await updateActionItem({
        ctx: request.ctx,
        input: { id: request.params.id, ...request.body },
      }),
    }),
  );
}
