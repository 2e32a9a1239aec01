import { inTx } from '../../db/tx.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { readVisibleIncident } from '../incidents/change.ts';
import { type ActionItem, type CreateActionItemInput, createActionItemSchema } from './action-items.ts';
import { readActionItem } from './get-action-item.ts';
import * as q from './queries.ts';
import { dueWithinPlan, requireOwner, requirePlanRules, teamIdOf } from './resolve-fields.ts';

/** A new action item following from an incident; its team defaults to the incident service's team. */
export async function createActionItem({
  ctx,
  input,
}: Operation<CreateActionItemInput>): Promise<ActionItem> {
  ctx.require('action-item:write');
  const data = createActionItemSchema.parse(input);
  return inTx(ctx.db, async (tx) => {
    const { incident, plan } = await readVisibleIncident(ctx, data.incident_id, tx);
    const now = ctx.clock.now();
    const dueAt = dueWithinPlan(plan, {
      priority: data.priority,
      created_at: now,
      due_at: data.due_at ? new Date(data.due_at) : null,
    });
    requirePlanRules(plan, { owner: data.owner ?? null, due_at: dueAt });
    await requireOwner(tx, data.owner);
    const teamId = data.team
      ? await teamIdOf(tx, data.team)
      : incident.service
        ? ((await q.teamIdOfService(tx, incident.service))?.team_id ?? null)
        : null;
    const id = await q.insertItem(tx, {
      incident_id: incident.id,
      title: data.title,
      description: data.description,
      owner: data.owner ?? null,
      due_at: dueAt,
      priority: data.priority,
      tracker_url: data.tracker_url ?? null,
      team_id: teamId,
      kind: 'action_item',
      source: ctx.actor.name,
      created_at: now,
      updated_at: now,
    });
    const item = await readActionItem(tx, id, now);
    await audit.record(tx, ctx.actor, now, {
      action: 'action_item.created',
      entityType: 'action_item',
      entityId: id,
      before: null,
      after: item,
    });
    return item;
  });
}
