import type { Operation } from '../context.ts';
import * as users from './queries.ts';

/** Active teams with their members; deactivated ones too with `all`. */
export async function listTeams({ ctx, input }: Operation<{ all?: boolean | undefined } | undefined>) {
  ctx.require('read');
  const teams = await users.listTeams(ctx.db, input?.all === true);
  return Promise.all(teams.map(async (t) => ({ ...t, members: await users.teamMembers(ctx.db, t.id) })));
}
