import type { Operation } from '../context.ts';
import { changeIncident } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import type { IncidentEvent } from './incident.ts';
import { type AddNoteInput, noteBodySchema } from './inputs.ts';

/** A free note in the timeline; resolved incidents take notes too. */
export async function addNote({ ctx, input }: Operation<AddNoteInput>): Promise<IncidentEvent> {
  ctx.require('incident:note');
  const { incidentId, ...body } = input;
  const data = noteBodySchema.parse(body);
  return changeIncident(ctx, incidentId, {}, async (c) => {
    return c.eventAudited(
      EVENT_KINDS.note,
      { text: data.text },
      { action: 'incident.note_added', before: undefined, after: { text: data.text }, auditEventId: true },
    );
  });
}
