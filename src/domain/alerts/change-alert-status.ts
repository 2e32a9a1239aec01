import type { AlertStatus } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Ctx } from '../context.ts';
import { type Alert, publicAlert } from './alerts.ts';
import { alertIdSchema } from './inputs.ts';
import * as alerts from './queries.ts';

// Shared by acknowledge-alert.ts and resolve-alert.ts: a repeat is not an error.
export async function changeAlertStatus(
  ctx: Ctx,
  alertId: string,
  to: Extract<AlertStatus, 'acknowledged' | 'resolved'>,
): Promise<Alert> {
  ctx.require('alert:update');
  return inTx(ctx.db, async (tx) => {
    const id = alertIdSchema.safeParse(alertId);
    const before = id.success ? await alerts.findAlert(tx, id.data) : undefined;
    if (!before) throw new NotFound('alert', alertId);
    const from: AlertStatus[] = to === 'acknowledged' ? ['triggered'] : ['triggered', 'acknowledged'];
    const now = ctx.clock.now();
    const after = await alerts.setStatusById(tx, before.id, from, { status: to, at: now });
    if (!after) return before;
    await alerts.insertEvents(tx, [
      {
        alert_id: after.id,
        at: now,
        kind: to === 'acknowledged' ? 'acknowledge' : 'resolve',
        actor: ctx.actor.name,
        data: '{}',
      },
    ]);
    await audit.record(tx, ctx.actor, now, {
      action: `alert.${to}`,
      entityType: 'alert',
      entityId: after.id,
      before: { status: before.status },
      after: { status: after.status },
    });
    return after;
  });
}

export { publicAlert };
