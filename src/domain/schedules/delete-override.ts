import { inTx } from '../../db/tx.ts';
import { NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as schedules from './queries.ts';

export async function deleteOverride({
  ctx,
  input,
}: Operation<{ schedule: string; id: string }>): Promise<void> {
  ctx.require('override:write');
  await inTx(ctx.db, async (tx) => {
    const schedule = await schedules.findByName(tx, input.schedule);
    if (!schedule) throw new NotFound('schedule', input.schedule);
    const before = /^\d{1,18}$/.test(input.id)
      ? await schedules.findOverride(tx, schedule.id, input.id)
      : undefined;
    if (!before) throw new NotFound('override', input.id);
    await schedules.deleteOverride(tx, before.id);
    await audit.record(tx, ctx.actor, ctx.clock.now(), {
      action: 'schedule.override_deleted',
      entityType: 'schedule',
      entityId: schedule.name,
      before,
    });
  });
}
