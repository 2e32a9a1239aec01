import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { changeIncident } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import { type IncidentEvent, isId } from './incident.ts';
import { type AddNoteInput, noteBodySchema } from './inputs.ts';
import * as incidents from './queries.ts';

/**
 * A free note in the timeline; resolved incidents take notes too. On a public incident the note is
 * one statement (the row locked, the event and its audit entry written: one round trip, no
 * BEGIN/COMMIT); a confidential or unknown incident takes the full path, whose visibility check
 * answers 404 to whoever may not see it.
 */
export async function addNote({ ctx, input }: Operation<AddNoteInput>): Promise<IncidentEvent> {
  ctx.require('incident:note');
  const { incidentId, ...body } = input;
  const data = noteBodySchema.parse(body);
  const entry = { action: 'incident.note_added', before: undefined, after: { text: data.text } };
  if (isId(incidentId)) {
    const now = ctx.clock.now();
    const event = await incidents.appendNoteToPublicIncident(
      ctx.db,
      { incidentId, kind: EVENT_KINDS.note, at: now, actor: ctx.actor, data: { text: data.text } },
      audit.auditRowOf(ctx.actor, now, { ...entry, entityType: 'incident', entityId: incidentId }),
      ctx.log,
    );
    if (event) return event;
  }
  return changeIncident(ctx, incidentId, {}, async (c) => {
    return c.eventAudited(EVENT_KINDS.note, { text: data.text }, { ...entry, auditEventId: true });
  });
}
