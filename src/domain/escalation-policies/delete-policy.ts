import { inTx } from '../../db/tx.ts';
import { Conflict, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as q from './queries.ts';
import { showPolicy } from './view.ts';

/** Deletes a policy no service uses (running escalations keep the steps they started with). */
export async function deletePolicy({ ctx, input }: Operation<{ name: string }>): Promise<void> {
  ctx.require('policy:write');
  await inTx(ctx.db, async (tx) => {
    const policy = await q.findPolicy(tx, input.name);
    if (!policy) throw new NotFound('escalation policy', input.name);
    const users = await q.servicesUsing(tx, policy.name);
    if (users.length > 0) {
      throw new Conflict(
        `escalation policy ${policy.name} is used by ${users.map((s) => s.name).join(', ')}`,
      );
    }
    await q.deletePolicy(tx, policy.id);
    await audit.record(tx, ctx.actor, ctx.clock.now(), {
      action: 'escalation_policy.deleted',
      entityType: 'escalation_policy',
      entityId: policy.id,
      before: showPolicy(policy),
    });
  });
}
