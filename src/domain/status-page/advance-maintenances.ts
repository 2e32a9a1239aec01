import type { Executor } from '../../db/schema.ts';
import * as audit from '../audit/queries.ts';
import { SYSTEM_ACTOR } from '../context.ts';
import { notifySubscribers } from '../subscribers/notify-subscribers.ts';
import * as q from './queries.ts';
import { maintenanceStatusAt } from './status-page.ts';

// At most this many maintenances per pass; the next pass takes the rest.
const BATCH = 100;

/**
 * Moves each automatic maintenance along its window once the clock reaches its start or end
 * (scheduled → in progress → completed) and tells its subscribers, once per move. The engine runs it
 * under its module lock; the rows are locked and the update is conditional on the status read, so a
 * repeat or a second engine changes nothing and the subscriber dedup key queues nothing twice. A
 * window the engine missed entirely (it was down) moves straight to completed with one notice.
 */
export async function advanceMaintenances({ tx, now }: { tx: Executor; now: Date }): Promise<number> {
  const due = await q.dueMaintenances(tx, now, BATCH);
  let moved = 0;
  for (const m of due) {
    const to = maintenanceStatusAt(m, now);
    if (to === m.status) continue;
    const after = await q.moveMaintenance(tx, m.id, m.status, to, now);
    if (!after) continue;
    await audit.record(tx, SYSTEM_ACTOR, now, {
      action: to === 'completed' ? 'status_page.maintenance_completed' : 'status_page.maintenance_started',
      entityType: 'status_page_maintenance',
      entityId: m.id,
      before: { status: m.status },
      after: { status: to },
    });
    await notifySubscribers(
      tx,
      { kind: 'maintenance', id: m.id, key: `clock-${to}`, name: m.name, status: to, bodies: {}, at: now },
      now,
    );
    moved++;
  }
  return moved;
}
