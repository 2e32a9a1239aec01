import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as users from './queries.ts';
import type { TeamView } from './save-team.ts';

/** One team with its members and their roles. */
export async function getTeam({ ctx, input }: Operation<{ name: string }>): Promise<TeamView> {
  ctx.require('read');
  const team = await users.findTeamByName(ctx.db, input.name);
  if (!team) throw new NotFound('team', input.name);
  return { ...team, members: await users.teamMembers(ctx.db, team.id) };
}
