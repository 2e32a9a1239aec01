import type { Operation } from '../context.ts';
import type { Incident } from './incident.ts';
import { type ListIncidentsInput, listIncidentsQuerySchema } from './inputs.ts';
import * as incidents from './queries.ts';

/** Incidents, newest first, filtered by state (open / resolved / all), severity and plan. */
export async function listIncidents({ ctx, input }: Operation<ListIncidentsInput>): Promise<Incident[]> {
  ctx.require('read');
  return incidents.listIncidents(ctx.db, listIncidentsQuerySchema.parse(input));
}
