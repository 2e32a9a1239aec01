import type { Operation } from '../context.ts';
import { readVisibleIncident } from '../incidents/change.ts';
import { DEFAULT_INCIDENT_WINDOW_HOURS, publicChange } from './changes.ts';
import * as changes from './queries.ts';

const HOUR = 3_600_000;
const MAX_CHANGES = 500;

/**
 * The changes of an incident's services (the one it was declared for and those of the alerts that
 * fed it) in the hours before it was declared: "review recent deployments".
 */
export async function listIncidentChanges({
  ctx,
  input,
}: Operation<{ incidentId: string; hours?: number | undefined }>) {
  ctx.require('read');
  const { incident } = await readVisibleIncident(ctx, input.incidentId);
  const hours = input.hours ?? DEFAULT_INCIDENT_WINDOW_HOURS;
  const to = incident.declared_at;
  const from = new Date(to.getTime() - hours * HOUR);
  const services = await changes.servicesOfIncident(ctx.db, incident);
  const rows = await changes.listChanges(ctx.db, {
    serviceIds: services.map((s) => s.id),
    from,
    to,
    limit: MAX_CHANGES,
  });
  return { services: services.map((s) => s.name), from, to, changes: rows.map(publicChange) };
}
