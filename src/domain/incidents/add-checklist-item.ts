import type { Row } from '../../db/schema.ts';
import type { Operation } from '../context.ts';
import { changeIncident } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import { type AddChecklistItemInput, checklistItemBodySchema } from './inputs.ts';
import * as incidents from './queries.ts';

/** Adds an item to one of the incident's checklists (a new name starts a new checklist). */
export async function addChecklistItem({
  ctx,
  input,
}: Operation<AddChecklistItemInput>): Promise<Row<'checklist_items'>> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = checklistItemBodySchema.parse(body);
  // Allowed after resolution too: follow-up checklists (e.g. the resolved state's) are worked then.
  return changeIncident(ctx, incidentId, {}, async (c) => {
    const position = await incidents.nextChecklistPosition(c.tx, c.incident.id, data.checklist);
    const [item] = await incidents.insertChecklistItems(c.tx, [
      { incident_id: c.incident.id, checklist: data.checklist, position, text: data.text, source: 'manual' },
    ]);
    if (!item) throw new Error('checklist item insert returned no row');
    await c.event(EVENT_KINDS.checklistItemAdded, {
      item_id: item.id,
      checklist: item.checklist,
      text: item.text,
    });
    await c.audit('checklist.item_added', undefined, item, { type: 'checklist_item', id: item.id });
    return item;
  });
}
