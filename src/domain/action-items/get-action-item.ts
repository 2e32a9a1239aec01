import type { Executor } from '../../db/schema.ts';
import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { hiddenIncidentIds } from '../incidents/confidential.ts';
import { type ActionItem, actionItemIdSchema, isOverdueItem } from './action-items.ts';
import * as q from './queries.ts';

type Listed = Awaited<ReturnType<typeof q.findItem>> & {};

export function toActionItem(row: Listed, now: Date): ActionItem {
  return { ...row, overdue: isOverdueItem(row, now) };
}

export async function readActionItem(db: Executor, id: string, now: Date): Promise<ActionItem> {
  const row = actionItemIdSchema.safeParse(id).success ? await q.findItem(db, id) : undefined;
  if (!row) throw new NotFound('action item', id);
  return toActionItem(row, now);
}

export async function getActionItem({ ctx, input }: Operation<{ id: string }>): Promise<ActionItem> {
  ctx.require('read');
  const now = ctx.clock.now();
  const item = await readActionItem(ctx.db, input.id, now);
  // An item of a confidential incident is as missing as the incident to who may not see it.
  if ((await hiddenIncidentIds(ctx.db, [item.incident_id], ctx.actor, now)).size > 0) {
    throw new NotFound('action item', input.id);
  }
  return item;
}
