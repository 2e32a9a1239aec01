import { inTx } from '../../db/tx.ts';
import { NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as users from './queries.ts';
import type { TeamView } from './save-team.ts';

/**
 * Deactivates a disbanded team: nobody is paged through it any more (team: targets, plan groups
 * listing it, a service's owning team) and team lists leave it out; its name stays on the services,
 * incidents and audit entries that mention it. Audited in the same transaction; a repeat changes nothing.
 */
export async function deactivateTeam({ ctx, input }: Operation<{ name: string }>): Promise<TeamView> {
  ctx.require('team:write');
  return inTx(ctx.db, async (tx) => {
    const before = await users.lockTeamByName(tx, input.name);
    if (!before) throw new NotFound('team', input.name);
    const members = await users.teamMembers(tx, before.id);
    if (before.deactivated_at) return { ...before, members };
    const now = ctx.clock.now();
    const after = await users.updateTeam(tx, before.id, { deactivated_at: now, updated_at: now });
    await audit.record(tx, ctx.actor, now, {
      action: 'team.deactivated',
      entityType: 'team',
      entityId: after.id,
      before: { ...before, members },
      after: { ...after, members },
    });
    return { ...after, members };
  });
}
