import { z } from 'zod';
import { cursorParam } from '../../lib/cursor.ts';
import { listAudit } from '../audit/list-audit.ts';
import { sessionUser, sessionUserSchema } from '../auth/auth.ts';
import type { App } from '../http-app.ts';
import { createToken } from './create-token.ts';
import { deactivateTeam } from './deactivate-team.ts';
import { deactivateUser } from './deactivate-user.ts';
import { getTeam } from './get-team.ts';
import { getUser } from './get-user.ts';
import { teamMemberInputSchema } from './inputs.ts';
import { listTeams } from './list-teams.ts';
import { listTokens } from './list-tokens.ts';
import { listUsers } from './list-users.ts';
import { profilePatchSchema } from './profile.ts';
import { reactivateTeam } from './reactivate-team.ts';
import { reactivateUser } from './reactivate-user.ts';
import { revokeToken } from './revoke-token.ts';
import { saveTeam } from './save-team.ts';
import { saveUser } from './save-user.ts';
import { setTeamMember } from './set-team-member.ts';
import { tokenInputSchema } from './tokens.ts';
import { updateProfile } from './update-profile.ts';
import { updateUser } from './update-user.ts';
import { handleSchema, publicUser, teamInputSchema, userInputSchema, userPatchSchema } from './users.ts';

const handleParams = z.strictObject({ handle: handleSchema });
const teamParams = z.strictObject({ name: handleSchema });

export function registerUserRoutes(app: App): void {
  app.get('/api/v1/me', { schema: { tags: ['users'] } }, async (request) => {
    request.ctx.require('read');
    const a = request.ctx.actor;
    return { user: { handle: a.name, role: a.role, leadership: a.leadership } };
  });
  app.patch(
    '/api/v1/me',
    {
      schema: {
        tags: ['users'],
        body: profilePatchSchema,
        summary: 'Change your own name or time zone',
        response: { 200: z.object({ user: sessionUserSchema }) },
      },
    },
    async (request) => ({
      user: sessionUser(await updateProfile({ ctx: request.ctx, input: request.body })),
    }),
  );
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
  app.get(
    '/api/v1/users/:handle',
    { schema: { tags: ['users'], params: handleParams, summary: 'A user and their teams' } },
    async (request) => ({ user: await getUser({ ctx: request.ctx, input: request.params }) }),
  );
  app.patch(
    '/api/v1/users/:handle',
    {
      schema: {
        tags: ['users'],
        params: handleParams,
        body: userPatchSchema,
        summary: "Change a user's role, name, email, time zone or leadership flag",
      },
    },
    async (request) => ({
      user: publicUser(
        await updateUser({ ctx: request.ctx, input: { handle: request.params.handle, patch: request.body } }),
      ),
    }),
  );
  app.post(
    '/api/v1/users/:handle/deactivate',
    {
      schema: {
        tags: ['users'],
        params: handleParams,
        summary: 'Deactivate a user: their tokens stop working, nobody pages them',
      },
    },
    async (request) => ({
      user: publicUser(await deactivateUser({ ctx: request.ctx, input: request.params })),
    }),
  );
  app.post(
    '/api/v1/users/:handle/reactivate',
    {
      schema: {
        tags: ['users'],
        params: handleParams,
        summary:
          'Reactivate a user: paged and signing in again; tokens and sessions from before stay revoked',
      },
    },
    async (request) => ({
      user: publicUser(await reactivateUser({ ctx: request.ctx, input: request.params })),
    }),
  );
  app.get(
    '/api/v1/teams/:name',
    { schema: { tags: ['users'], params: teamParams, summary: 'A team and its members' } },
    async (request) => ({ team: await getTeam({ ctx: request.ctx, input: request.params }) }),
  );
  app.put(
    '/api/v1/teams/:name/members/:handle',
    {
      schema: {
        tags: ['users'],
        params: z.strictObject({ name: handleSchema, handle: handleSchema }),
        body: teamMemberInputSchema,
        summary: 'Add a member to a team, or change their role in it',
      },
    },
    async (request) => ({
      team: await setTeamMember({
        ctx: request.ctx,
        input: { team: request.params.name, user: request.params.handle, role: request.body.role },
      }),
    }),
  );
  app.delete(
    '/api/v1/teams/:name/members/:handle',
    {
      schema: {
        tags: ['users'],
        params: z.strictObject({ name: handleSchema, handle: handleSchema }),
        summary: 'Remove a member from a team',
      },
    },
    async (request) => ({
      team: await setTeamMember({
        ctx: request.ctx,
        input: { team: request.params.name, user: request.params.handle, role: null },
      }),
    }),
  );
  app.get(
    '/api/v1/teams',
    {
      schema: {
        tags: ['users'],
        querystring: z.strictObject({
          all: z
            .enum(['true', 'false'])
            .optional()
            .describe('true: deactivated teams too (default: active teams only)'),
        }),
      },
    },
    async (request) => ({
      teams: await listTeams({ ctx: request.ctx, input: { all: request.query.all === 'true' } }),
    }),
  );
  app.post(
    '/api/v1/teams/:name/deactivate',
    {
      schema: {
        tags: ['users'],
        params: teamParams,
        summary: 'Deactivate a team: nobody is paged through it, team lists leave it out',
      },
    },
    async (request) => ({ team: await deactivateTeam({ ctx: request.ctx, input: request.params }) }),
  );
  app.post(
    '/api/v1/teams/:name/reactivate',
    {
      schema: {
        tags: ['users'],
        params: teamParams,
        summary: 'Reactivate a team: paged through and listed again, with its members',
      },
    },
    async (request) => ({ team: await reactivateTeam({ ctx: request.ctx, input: request.params }) }),
  );
  app.post(
    '/api/v1/teams',
    { schema: { tags: ['users'], body: teamInputSchema } },
    async (request, reply) => {
      const { item } = await saveTeam({ ctx: request.ctx, input: { team: request.body, mode: 'create' } });
      reply.status(201);
      return { team: item };
    },
  );
  app.get(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['users'],
        summary: 'Your API tokens (admins: ?user=NAME for anyone’s); never the tokens themselves',
        querystring: z.strictObject({ user: handleSchema.optional() }),
      },
    },
    async (request) => ({ tokens: await listTokens({ ctx: request.ctx, input: request.query }) }),
  );
  app.post(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['users'],
        summary: 'Create an API token (shown once), optionally expiring (expires_in: 90d, or expires_at)',
        body: tokenInputSchema.extend({ user: handleSchema.optional() }),
      },
    },
    async (request, reply) => {
      const token = await createToken({ ctx: request.ctx, input: request.body });
      reply.status(201);
      return { token };
    },
  );
  app.delete(
    '/api/v1/tokens/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Revoke an API token: it stops working at once',
        params: z.strictObject({ id: z.string().max(20) }),
      },
    },
    async (request) => ({ token: await revokeToken({ ctx: request.ctx, input: request.params }) }),
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
