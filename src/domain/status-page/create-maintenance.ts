import { inTx } from '../../db/tx.ts';
import { Invalid } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { notifySubscribers } from '../subscribers/notify-subscribers.ts';
import { statusPageChanged } from './cache.ts';
import { type MaintenanceInput, maintenanceInputSchema } from './inputs.ts';
import * as q from './queries.ts';

/**
 * Schedules maintenance of some components, or (emergency: true) puts them under maintenance now
 * with no end until someone completes it: the emergency maintenance mode.
 */
export async function createMaintenance({ ctx, input }: Operation<MaintenanceInput>) {
  ctx.require('status-page:write');
  const data = maintenanceInputSchema.parse(input);
  const created = await inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const scheduledFor = data.emergency || !data.scheduled_for ? now : new Date(data.scheduled_for);
    const scheduledUntil = data.emergency || !data.scheduled_until ? null : new Date(data.scheduled_until);
    if (scheduledUntil && scheduledUntil <= scheduledFor) {
      throw new Invalid('it ends before it starts', [
        { path: 'scheduled_until', message: `must be after scheduled_for (${scheduledFor.toISOString()})` },
      ]);
    }
    const found = await q.findComponentsByName(tx, data.components);
    const byName = new Map(found.map((c) => [c.name, c]));
    const unknown = data.components.flatMap((n, i) =>
      byName.has(n) ? [] : [{ path: `components.${i}`, message: `no component "${n}"` }],
    );
    if (unknown.length > 0) throw new Invalid('unknown component', unknown);
    const status = data.emergency || scheduledFor <= now ? 'in_progress' : 'scheduled';
    const m = await q.insertMaintenance(tx, {
      name: data.name,
      status,
      emergency: data.emergency,
      scheduled_for: scheduledFor,
      scheduled_until: scheduledUntil,
      auto_start: data.auto_start,
      auto_complete: data.auto_complete && scheduledUntil !== null,
      created_by: ctx.actor.name,
      created_at: now,
      updated_at: now,
    });
    await q.setMaintenanceComponents(tx, m.id, [...new Set(found.map((c) => c.id))]);
    if (data.bodies) {
      await q.insertMaintenanceUpdate(tx, {
        maintenance_id: m.id,
        status,
        bodies: JSON.stringify(data.bodies),
        created_by: ctx.actor.name,
        created_at: now,
      });
    }
    await audit.record(tx, ctx.actor, now, {
      action: 'status_page.maintenance_created',
      entityType: 'status_page_maintenance',
      entityId: m.id,
      after: { ...m, components: data.components },
    });
    await notifySubscribers(
      tx,
      {
        kind: 'maintenance',
        id: m.id,
        key: 'created',
        name: m.name,
        status,
        bodies: data.bodies ?? {},
        at: now,
      },
      now,
    );
    return { ...m, components: data.components };
  });
  statusPageChanged(ctx.db);
  return created;
}
