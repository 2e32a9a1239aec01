import { z } from 'zod';
import type { App } from '../http-app.ts';
import {
  actionItemIdSchema,
  createActionItemSchema,
  listActionItemsQuerySchema,
  pushActionItemSchema,
  updateActionItemSchema,
} from './action-items.ts';
import { createActionItem } from './create-action-item.ts';
import { getActionItem } from './get-action-item.ts';
import { listActionItems, openActionItemsByTeam } from './list-action-items.ts';
import { getTrackerPush, pushActionItem } from './push-action-item.ts';
import { actionItemAnswer, actionItemsAnswer, teamsAnswer, trackerPushAnswer } from './responses.ts';
import { updateActionItem } from './update-action-item.ts';

const BASE = '/api/v1/action-items';
const tags = ['action-items'];
const params = z.strictObject({ id: actionItemIdSchema });

export function registerActionItemRoutes(app: App): void {
  app.get(
    BASE,
    {
      schema: {
        tags,
        querystring: listActionItemsQuerySchema,
        summary: 'Action items, soonest due first',
        response: { 200: actionItemsAnswer },
      },
    },
    async (request) => ({ action_items: await listActionItems({ ctx: request.ctx, input: request.query }) }),
  );
  app.get(
    `${BASE}/teams`,
    {
      schema: {
        tags,
        summary: 'Unfinished action items per team, and how many are overdue',
        response: { 200: teamsAnswer },
      },
    },
    async (request) => ({ teams: await openActionItemsByTeam({ ctx: request.ctx, input: {} }) }),
  );
  app.post(
    BASE,
    {
      schema: {
        tags,
        body: createActionItemSchema,
        summary: 'A new action item following from an incident',
        response: { 201: actionItemAnswer },
      },
    },
    async (request, reply) => {
      const item = await createActionItem({ ctx: request.ctx, input: request.body });
      reply.status(201);
      return { action_item: item };
    },
  );
  app.get(
    `${BASE}/:id`,
    { schema: { tags, params, summary: 'One action item', response: { 200: actionItemAnswer } } },
    async (request) => ({
      action_item: await getActionItem({ ctx: request.ctx, input: { id: request.params.id } }),
    }),
  );
  app.patch(
    `${BASE}/:id`,
    {
      schema: {
        tags,
        params,
        body: updateActionItemSchema,
        summary: 'Change an action item (status, owner, due …)',
        response: { 200: actionItemAnswer },
      },
    },
    async (request) => ({
      action_item: await updateActionItem({
        ctx: request.ctx,
        input: { id: request.params.id, ...request.body },
      }),
    }),
  );
  app.post(
    `${BASE}/:id/push`,
    {
      schema: {
        tags,
        params,
        body: pushActionItemSchema,
        summary:
          'Push to GitHub Issues or Jira: queued (retried when the tracker fails); the issue URL becomes tracker_url',
        response: { 202: trackerPushAnswer },
      },
    },
    async (request, reply) => {
      const push = await pushActionItem({
        ctx: request.ctx,
        input: { id: request.params.id, tracker: request.body.tracker },
      });
      reply.status(202);
      return { push };
    },
  );
  app.get(
    `${BASE}/:id/push`,
    {
      schema: {
        tags,
        params,
        summary: 'The latest push to a tracker: its state, tries, last error, issue URL',
        response: { 200: trackerPushAnswer },
      },
    },
    async (request) => ({
      push: await getTrackerPush({ ctx: request.ctx, input: { id: request.params.id } }),
    }),
  );
}
