import type { Operation } from '../context.ts';
import { readIncident } from './change.ts';
import * as incidents from './queries.ts';

/** The affected customers' addresses recorded on an incident. */
export async function listAffectedUsers({ ctx, input }: Operation<{ incidentId: string }>) {
  ctx.require('incident:update');
  const { incident } = await readIncident(ctx.db, input.incidentId);
  return { emails: await incidents.affectedUserEmails(ctx.db, incident.id) };
}
