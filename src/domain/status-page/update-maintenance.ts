import { inTx } from '../../db/tx.ts';
import { Invalid, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { notifySubscribers } from '../subscribers/notify-subscribers.ts';
import { statusPageChanged } from './cache.ts';
import { maintenanceUpdateInputSchema } from './inputs.ts';
import * as q from './queries.ts';
import { type MaintenanceStatus, maintenanceStatusAt } from './status-page.ts';

/** Posts an update on a maintenance: a new status (in progress, verifying, completed), a text, or both. */
export async function updateMaintenance({
  ctx,
  input,
}: Operation<{
  id: string;
  status?: MaintenanceStatus | undefined;
  bodies?: Record<string, string> | undefined;
}>) {
  ctx.require('status-page:write');
  const { id, ...rest } = input;
  const data = maintenanceUpdateInputSchema.parse(rest);
  if (!data.status && !data.bodies) {
    throw new Invalid('nothing to change', [{ path: 'status', message: 'give a status, bodies, or both' }]);
  }
  const updated = await inTx(ctx.db, async (tx) => {
    const before = /^[1-9][0-9]{0,17}$/.test(id) ? await q.lockMaintenance(tx, id) : undefined;
    if (!before) throw new NotFound('maintenance', id);
    const now = ctx.clock.now();
    const current = maintenanceStatusAt(before, now);
    if (current === 'completed' && data.status && data.status !== 'completed') {
      throw new Invalid('the maintenance is completed', [
        { path: 'status', message: 'a completed maintenance stays completed' },
      ]);
    }
    const status = data.status ?? current;
    const after = await q.updateMaintenance(tx, id, {
      status,
      updated_at: now,
      // Set by hand from now on: the clock no longer moves what someone moved.
      ...(data.status ? { auto_start: false, auto_complete: false } : {}),
      ...(status === 'completed' && !before.scheduled_until ? { scheduled_until: now } : {}),
    });
    const posted = data.bodies
      ? await q.insertMaintenanceUpdate(tx, {
          maintenance_id: id,
          status,
          bodies: JSON.stringify(data.bodies),
          created_by: ctx.actor.name,
          created_at: now,
        })
      : undefined;
    await notifySubscribers(
      tx,
      {
        kind: 'maintenance',
        id,
        key: posted ? `update-${posted.id}` : `status-${status}-${now.getTime()}`,
        name: before.name,
        status,
        bodies: data.bodies ?? {},
        at: now,
      },
      now,
    );
    await audit.record(tx, ctx.actor, now, {
      action: 'status_page.maintenance_updated',
      entityType: 'status_page_maintenance',
      entityId: id,
      before: { status: current },
      after: { status, bodies: data.bodies ?? null },
    });
    return after;
  });
  statusPageChanged(ctx.db);
  return updated;
}
