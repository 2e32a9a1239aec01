import type { Operation } from '../context.ts';
import { getTeam } from './get-team.ts';
import { saveTeam, type TeamView } from './save-team.ts';

/** Adds a person to a team with a role, or changes their role in it (`role: null` removes them). */
export async function setTeamMember({
  ctx,
  input,
}: Operation<{ team: string; user: string; role: string | null }>): Promise<TeamView> {
  ctx.require('team:write');
  const team = await getTeam({ ctx, input: { name: input.team } });
  const others = team.members.filter((m) => m.user !== input.user);
  const members = input.role === null ? others : [...others, { user: input.user, role: input.role }];
  const { item } = await saveTeam({
    ctx,
    input: { team: { name: team.name, description: team.description, members }, mode: 'upsert' },
  });
  return item;
}
