import { inTx } from '../../db/tx.ts';
import { NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as users from './queries.ts';
import type { TeamView } from './save-team.ts';

/**
 * Reactivates a team deactivated before: it is paged through and listed again, with the members it
 * had. Audited in the same transaction; reactivating an active team changes nothing.
 */
export async function reactivateTeam({ ctx, input }: Operation<{ name: string }>): Promise<TeamView> {
  ctx.require('team:write');
  return inTx(ctx.db, async (tx) => {
    const before = await users.lockTeamByName(tx, input.name);
    if (!before) throw new NotFound('team', input.name);
    const members = await users.teamMembers(tx, before.id);
    if (!before.deactivated_at) return { ...before, members };
    const now = ctx.clock.now();
    const after = await users.updateTeam(tx, before.id, { deactivated_at: null, updated_at: now });
    await audit.record(tx, ctx.actor, now, {
      action: 'team.reactivated',
      entityType: 'team',
      entityId: after.id,
      before: { ...before, members },
      after: { ...after, members },
    });
    return { ...after, members };
  });
}
