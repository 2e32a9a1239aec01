import { inTx } from '../../db/tx.ts';
import { NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { alertIdSchema, alertNoteSchema } from './inputs.ts';
import * as alerts from './queries.ts';

export async function addAlertNote({ ctx, input }: Operation<{ alertId: string; text: string }>) {
  ctx.require('alert:update');
  const { text } = alertNoteSchema.parse({ text: input.text });
  return inTx(ctx.db, async (tx) => {
    const id = alertIdSchema.safeParse(input.alertId);
    const alert = id.success ? await alerts.findAlert(tx, id.data) : undefined;
    if (!alert) throw new NotFound('alert', input.alertId);
    const now = ctx.clock.now();
    await alerts.insertEvents(tx, [
      { alert_id: alert.id, at: now, kind: 'note', actor: ctx.actor.name, data: JSON.stringify({ text }) },
    ]);
    await audit.record(tx, ctx.actor, now, {
      action: 'alert.noted',
      entityType: 'alert',
      entityId: alert.id,
      after: { text },
    });
    return { alert_id: alert.id, text, at: now };
  });
}
