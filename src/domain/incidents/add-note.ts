import type { Operation } from '../context.ts';
import { changeIncident } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import type { IncidentEvent } from './incident.ts';
import { type AddNoteInput, noteBodySchema } from './inputs.ts';
import * as incidents from './queries.ts';

/** A free note in the timeline; resolved incidents take notes too. */
export async function addNote({ ctx, input }: Operation<AddNoteInput>): Promise<IncidentEvent> {
  ctx.require('incident:note');
  const { incidentId, ...body } = input;
  const data = noteBodySchema.parse(body);
  return changeIncident(ctx, incidentId, {}, async (c) => {
    const note = await incidents.appendEvent(c.tx, {
      incidentId: c.incident.id,
      kind: EVENT_KINDS.note,
      at: c.now,
      actor: ctx.actor,
      data: { text: data.text },
    });
    await c.audit('incident.note_added', undefined, { event_id: note.id, text: data.text });
    return note;
  });
}
