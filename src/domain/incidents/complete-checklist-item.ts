import type { Row } from '../../db/schema.ts';
import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { changeIncident } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import { isId } from './incident.ts';
import { type CompleteChecklistItemInput, checklistItemPatchSchema } from './inputs.ts';
import * as incidents from './queries.ts';

/** Ticks a checklist item off (done: true) or back on (done: false); a repeat changes nothing. */
export async function completeChecklistItem({
  ctx,
  input,
}: Operation<CompleteChecklistItemInput>): Promise<Row<'checklist_items'>> {
  ctx.require('incident:update');
  const { incidentId, itemId, ...body } = input;
  const data = checklistItemPatchSchema.parse(body);
  // Allowed after resolution too: follow-up checklists (e.g. the resolved state's) are worked then.
  return changeIncident(ctx, incidentId, {}, async (c) => {
    const before = isId(itemId) ? await incidents.lockChecklistItem(c.tx, c.incident.id, itemId) : undefined;
    if (!before) throw new NotFound('checklist item', itemId);
    if (data.done === (before.done_at !== null)) return before;
    const after = await incidents.updateChecklistItem(
      c.tx,
      before.id,
      data.done ? { done_at: c.now, done_by: ctx.actor.name } : { done_at: null, done_by: null },
    );
    await c.event(EVENT_KINDS.checklistItemDone, {
      item_id: after.id,
      checklist: after.checklist,
      text: after.text,
      done: data.done,
    });
    await c.audit(
      data.done ? 'checklist.item_done' : 'checklist.item_undone',
      { done_at: before.done_at, done_by: before.done_by },
      { done_at: after.done_at, done_by: after.done_by },
      { type: 'checklist_item', id: after.id },
    );
    return after;
  });
}
