import type { Operation } from '../context.ts';
import { readVisibleIncident } from './change.ts';
import * as incidents from './queries.ts';

/** The affected customers' addresses recorded on an incident. */
export async function listAffectedUsers({ ctx, input }: Operation<{ incidentId: string }>) {
  ctx.require('incident:update');
  const { incident } = await readVisibleIncident(ctx, input.incidentId);
  return { emails: await incidents.affectedUserEmails(ctx.db, incident.id) };
}
