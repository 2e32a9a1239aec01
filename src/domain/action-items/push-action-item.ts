import { loadEnv, publicUrlOf } from '../../config/env.ts';
import { inTx } from '../../db/tx.ts';
import { Conflict, Invalid, NotFound } from '../../errors.ts';
import { configuredTrackers } from '../../notify/providers/tracker.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import { incidentUrlOf } from '../paging/page-content.ts';
import {
  type ActionItemRow,
  actionItemIdSchema,
  pushActionItemSchema,
  type Tracker,
} from './action-items.ts';
import { getActionItem } from './get-action-item.ts';
import * as q from './queries.ts';

export interface TrackerPush {
  tracker: string;
  /** The outbox row's state: pending and sending are under way, failed gave up, sent created the issue. */
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled';
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  /** The created issue, once sent. */
  url: string | null;
}

/** The issue's description: the item's own, then where it comes from (the incident in Tocsin). */
function issueText(item: ActionItemRow): string {
  const lines = [item.description.trim() || item.title];
  const facts = [
    `Priority: ${item.priority}`,
    ...(item.owner ? [`Owner: ${item.owner}`] : []),
    ...(item.due_at ? [`Due: ${item.due_at.toISOString()}`] : []),
  ];
  lines.push('', facts.join('\n'));
  if (item.incident_id) {
    lines.push(
      '',
      `Follows incident ${item.incident_id}: ${incidentUrlOf(publicUrlOf(loadEnv()), item.incident_id)}`,
    );
  }
  lines.push('', `Tocsin action item ${item.id}`);
  return lines.join('\n');
}

/**
 * Pushes an action item to GitHub Issues or Jira: the request is queued in the outbox in this
 * transaction (retried with backoff when the tracker fails) and, once the issue exists, its URL
 * becomes the item's tracker_url. An item already linked, or with a push under way, is refused.
 */
export async function pushActionItem({
  ctx,
  input,
}: Operation<{ id: string; tracker: Tracker }>): Promise<TrackerPush> {
  ctx.require('action-item:write');
  const { tracker } = pushActionItemSchema.parse({ tracker: input.tracker });
  if (!configuredTrackers(loadEnv()).includes(tracker)) {
    throw new Invalid(`no ${tracker} tracker is configured`, [
      {
        path: 'tracker',
        message: `not configured here (set the TOCSIN_${tracker.toUpperCase()}_* variables)`,
      },
    ]);
  }
  return inTx(ctx.db, async (tx) => {
    const item = actionItemIdSchema.safeParse(input.id).success ? await q.lockItem(tx, input.id) : undefined;
    if (!item) throw new NotFound('action item', input.id);
    if (item.tracker_url)
      throw new Conflict(`action item ${item.id} is already linked to ${item.tracker_url}`);
    const previous = item.tracker_outbox_id ? await q.trackerPush(tx, item.tracker_outbox_id) : undefined;
    if (previous && (previous.status === 'pending' || previous.status === 'sending')) {
      throw new Conflict(`action item ${item.id} is being pushed to ${previous.destination} already`);
    }
    const now = ctx.clock.now();
    const outboxId = await enqueueNotification(
      tx,
      {
        incidentId: item.incident_id,
        channel: 'tracker',
        destination: tracker,
        payload: { kind: 'tracker', subject: item.title, text: issueText(item) },
        // One push after each finished one: a repeat of the same request queues nothing twice.
        dedupKey: `tracker:${item.id}:after:${previous?.id ?? 'none'}`,
      },
      now,
    );
    if (!outboxId) throw new Conflict(`action item ${item.id} was just pushed`);
    await q.updateItem(tx, item.id, { tracker_outbox_id: outboxId, updated_at: now });
    await audit.record(tx, ctx.actor, now, {
      action: 'action_item.pushed',
      entityType: 'action_item',
      entityId: item.id,
      before: null,
      after: { tracker },
    });
    return { tracker, status: 'pending', attempts: 0, last_error: null, next_attempt_at: now, url: null };
  });
}

/** The latest push of an item: under way, failed (with the tracker's reason) or done. */
export async function getTrackerPush(op: Operation<{ id: string }>): Promise<TrackerPush> {
  const item = await getActionItem(op); // read permission, confidential incidents
  const outboxId = await q.trackerOutboxId(op.ctx.db, item.id);
  const row = outboxId ? await q.trackerPush(op.ctx.db, outboxId) : undefined;
  if (!row) throw new NotFound('tracker push of action item', op.input.id);
  return {
    tracker: row.destination,
    status: row.status,
    attempts: row.attempts,
    last_error: row.last_error,
    next_attempt_at: row.next_attempt_at,
    url: row.status === 'sent' ? row.provider_id : null,
  };
}
