import { z } from 'zod';
import type { App } from '../../http/server.ts';
import { cursorParam } from '../../lib/cursor.ts';
import { listAudit } from '../audit/list-audit.ts';
import { createToken } from './create-token.ts';
import { listTeams } from './list-teams.ts';
import { listUsers } from './list-users.ts';
import { saveTeam } from './save-team.ts';
import { saveUser } from './save-user.ts';
import { handleSchema, publicUser, teamInputSchema, userInputSchema } from './users.ts';

export function registerUserRoutes(app: App): void {
  app.get('/api/v1/me', { schema: { tags: ['users'] } }, async (request) => {
    request.ctx.require('read');
    const a = request.ctx.actor;
    return { user: { handle: a.name, role: a.role, leadership: a.leadership } };
  });
  app.get('/api/v1/users', { schema: { tags: ['users'] } }, async (request) => ({
    users: await listUsers({ ctx: request.ctx, input: undefined }),
  }));
  app.post(
    '/api/v1/users',
    { schema: { tags: ['users'], body: userInputSchema } },
    async (request, reply) => {
      const { item } = await saveUser({ ctx: request.ctx, input: { user: request.body, mode: 'create' } });
      reply.status(201);
      return { user: publicUser(item) };
    },
  );
  app.get('/api/v1/teams', { schema: { tags: ['users'] } }, async (request) => ({
    teams: await listTeams({ ctx: request.ctx, input: undefined }),
  }));
  app.post(
    '/api/v1/teams',
    { schema: { tags: ['users'], body: teamInputSchema } },
    async (request, reply) => {
      const { item } = await saveTeam({ ctx: request.ctx, input: { team: request.body, mode: 'create' } });
      reply.status(201);
      return { team: item };
    },
  );
  app.post(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['users'],
        body: z.strictObject({ name: z.string().min(1).max(100), user: handleSchema.optional() }),
      },
    },
    async (request, reply) => {
      const token = await createToken({ ctx: request.ctx, input: request.body });
      reply.status(201);
      return { token };
    },
  );
  app.get(
    '/api/v1/audit',
    {
      schema: {
        tags: ['audit'],
        querystring: z.strictObject({
          entity_type: z.string().optional(),
          entity_id: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          cursor: cursorParam,
        }),
      },
    },
    async (request) =>
      listAudit({
        ctx: request.ctx,
        input: {
          entityType: request.query.entity_type,
          entityId: request.query.entity_id,
          limit: request.query.limit,
          cursor: request.query.cursor,
        },
      }),
  );
}
