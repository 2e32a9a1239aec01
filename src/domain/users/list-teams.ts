import type { Operation } from '../context.ts';
import * as users from './queries.ts';

export async function listTeams({ ctx }: Operation<void>) {
  ctx.require('read');
  const teams = await users.listTeams(ctx.db);
  return Promise.all(teams.map(async (t) => ({ ...t, members: await users.teamMembers(ctx.db, t.id) })));
}
