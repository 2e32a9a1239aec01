import { NotFound } from '../../errors.ts';
import { publicAlert } from '../alerts/alerts.ts';
import type { Operation } from '../context.ts';
import { isId } from '../incidents/incident.ts';
import * as incidents from '../incidents/queries.ts';
import * as q from './queries.ts';

/** The alerts that fed an incident (declared it or joined it), in the order they arrived. */
export async function listIncidentAlerts({ ctx, input }: Operation<{ incidentId: string }>) {
  ctx.require('read');
  const incident = isId(input.incidentId)
    ? await incidents.findIncident(ctx.db, input.incidentId)
    : undefined;
  if (!incident) throw new NotFound('incident', input.incidentId);
  const rows = await q.alertsOfIncident(ctx.db, incident.id);
  return rows.map((r) => publicAlert(r));
}
