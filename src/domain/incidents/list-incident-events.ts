import type { Operation } from '../context.ts';
import { readVisibleIncident } from './change.ts';
import * as incidents from './queries.ts';

/** The incident's timeline, oldest first. */
export async function listIncidentEvents({ ctx, input }: Operation<{ incidentId: string }>) {
  ctx.require('read');
  const { incident } = await readVisibleIncident(ctx, input.incidentId);
  return incidents.listEvents(ctx.db, incident.id);
}
