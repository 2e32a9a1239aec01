import { publicAlert } from '../alerts/alerts.ts';
import type { Operation } from '../context.ts';
import { readVisibleIncident } from '../incidents/change.ts';
import * as q from './queries.ts';

/** The alerts that fed an incident (declared it or joined it), in the order they arrived. */
export async function listIncidentAlerts({ ctx, input }: Operation<{ incidentId: string }>) {
  ctx.require('read');
  const { incident } = await readVisibleIncident(ctx, input.incidentId);
  const rows = await q.alertsOfIncident(ctx.db, incident.id);
  return rows.map((r) => publicAlert(r));
}
