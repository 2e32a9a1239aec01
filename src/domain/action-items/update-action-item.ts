import type { RowUpdate } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { readIncident } from '../incidents/change.ts';
import {
  type ActionItem,
  actionItemIdSchema,
  isOpenStatus,
  type UpdateActionItemBody,
  updateActionItemSchema,
} from './action-items.ts';
import { readActionItem } from './get-action-item.ts';
import * as q from './queries.ts';
import { dueWithinPlan, requireOwner, requirePlanRules, teamIdOf } from './resolve-fields.ts';

export type UpdateActionItemInput = { id: string } & UpdateActionItemBody;

/**
 * Changes an action item. Finishing it stamps done_at (reopening clears it); a new due date re-arms
 * the overdue reminder. The audit row holds the fields as they were and as they are.
 */
export async function updateActionItem({
  ctx,
  input,
}: Operation<UpdateActionItemInput>): Promise<ActionItem> {
  ctx.require('action-item:write');
  const { id, ...body } = input;
  const data = updateActionItemSchema.parse(body);
  return inTx(ctx.db, async (tx) => {
    const before = actionItemIdSchema.safeParse(id).success ? await q.lockItem(tx, id) : undefined;
    if (!before) throw new NotFound('action item', id);
    const now = ctx.clock.now();
    const shown = await readActionItem(tx, id, now);
    const set: RowUpdate<'action_items'> = { updated_at: now };
    if (data.title !== undefined) set.title = data.title;
    if (data.description !== undefined) set.description = data.description;
    if (data.priority !== undefined) set.priority = data.priority;
    if (data.tracker_url !== undefined) set.tracker_url = data.tracker_url;
    if (data.owner !== undefined) {
      await requireOwner(tx, data.owner);
      set.owner = data.owner;
    }
    if (data.team !== undefined) set.team_id = data.team === null ? null : await teamIdOf(tx, data.team);
    if (data.due_at !== undefined) {
      set.due_at = data.due_at === null ? null : new Date(data.due_at);
      set.overdue_reminded_at = null;
      set.due_reminded_at = null;
      set.overdue_escalated_at = null;
    }
    if (data.status !== undefined && data.status !== before.status) {
      set.status = data.status;
      set.done_at = data.status === 'done' ? now : isOpenStatus(data.status) ? null : before.done_at;
    }
    const planned = data.owner !== undefined || data.due_at !== undefined || data.priority !== undefined;
    if (before.incident_id && planned) {
      const { plan } = await readIncident(tx, before.incident_id);
      const requested = data.due_at !== undefined ? (set.due_at as Date | null) : before.due_at;
      const due = dueWithinPlan(
        plan,
        { priority: data.priority ?? before.priority, created_at: before.created_at, due_at: requested },
        data.due_at !== null,
      );
      if (due !== requested) {
        // the plan's dueWithin filled in the due date this priority needs
        set.due_at = due;
        set.overdue_reminded_at = null;
        set.due_reminded_at = null;
        set.overdue_escalated_at = null;
      }
      requirePlanRules(plan, {
        owner: data.owner !== undefined ? data.owner : before.owner,
        due_at: due,
      });
    }
    await q.updateItem(tx, id, set);
    const after = await readActionItem(tx, id, now);
    const changed = [...new Set([...Object.keys(data), ...(set.due_at !== undefined ? ['due_at'] : [])])] as (
      | keyof typeof data
      | 'due_at'
    )[];
    await audit.record(tx, ctx.actor, now, {
      action: 'action_item.updated',
      entityType: 'action_item',
      entityId: id,
      before: Object.fromEntries(changed.map((k) => [k, shown[k]])),
      after: Object.fromEntries(changed.map((k) => [k, after[k]])),
    });
    return after;
  });
}
