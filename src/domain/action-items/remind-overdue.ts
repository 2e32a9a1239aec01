import type { Executor } from '../../db/schema.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import * as q from './queries.ts';

// The overdue reminder of action items, run by the engine module `action-item-reminders` under its
// advisory lock. Each item is reminded once per due date (overdue_reminded_at; a new due date re-arms
// it) and the outbox dedup key holds even if two passes met: a tick repeated queues nothing twice.

const BATCH = 200;

function text(item: {
  id: string;
  kind: 'task' | 'action_item';
  title: string;
  due_at: Date | null;
  incident_id: string | null;
  incident_title: string | null;
}) {
  const from = item.incident_id
    ? ` (from incident #${item.incident_id}${item.incident_title ? ` ${item.incident_title}` : ''})`
    : '';
  return (
    `${item.kind === 'task' ? 'Task' : 'Action item'} #${item.id} "${item.title}"${from} was due ${item.due_at?.toISOString() ?? ''} and is not done.\n` +
    `Update it: npx tocsin action-item update ${item.id} --status done`
  );
}

/** Queues a reminder to the owner (else the item's team) of each newly overdue action item; returns how many. */
export async function remindOverdueActionItems({ tx, now }: { tx: Executor; now: Date }): Promise<number> {
  const due = await q.claimOverdue(tx, now, BATCH);
  for (const item of due) {
    const to = item.owner ? `user:${item.owner}` : item.team ? `group:${item.team}` : undefined;
    if (to) {
      await enqueueNotification(
        tx,
        {
          incidentId: item.incident_id,
          channel: 'auto',
          destination: to,
          payload: {
            kind: 'notify',
            subject: `Overdue ${item.kind === 'task' ? 'task' : 'action item'}: ${item.title}`,
            text: text(item),
          },
          dedupKey: `action-item-overdue:${item.id}:${item.due_at?.toISOString()}`,
        },
        now,
      );
    }
    await q.markReminded(tx, item.id, now);
  }
  return due.length;
}
