import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { isId } from './incident.ts';
import * as incidents from './queries.ts';

/** The incident's timeline, oldest first. */
export async function listIncidentEvents({ ctx, input }: Operation<{ incidentId: string }>) {
  ctx.require('read');
  const found = isId(input.incidentId) ? await incidents.findIncident(ctx.db, input.incidentId) : undefined;
  if (!found) throw new NotFound('incident', input.incidentId);
  return incidents.listEvents(ctx.db, found.id);
}
