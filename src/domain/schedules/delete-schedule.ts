import { inTx } from '../../db/tx.ts';
import { NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as schedules from './queries.ts';
import { viewOf } from './view.ts';

/** Deletes a schedule and its overrides. */
export async function deleteSchedule({ ctx, input }: Operation<{ name: string }>): Promise<void> {
  ctx.require('schedule:write');
  await inTx(ctx.db, async (tx) => {
    const locked = await schedules.lockByName(tx, input.name);
    const before = locked && (await schedules.findWithTeam(tx, input.name));
    if (!before) throw new NotFound('schedule', input.name);
    const view = await viewOf(tx, before);
    await schedules.remove(tx, before.id);
    await audit.record(tx, ctx.actor, ctx.clock.now(), {
      action: 'schedule.deleted',
      entityType: 'schedule',
      entityId: input.name,
      before: view,
    });
  });
}
