import { ZodError } from 'zod';
import { AppError } from '../../errors.ts';
import { addNote } from '../incidents/add-note.ts';
import { resolveIncident } from '../incidents/resolve-incident.ts';
import { ALERT_RULES_ACTOR, ALL_ALERTS_RESOLVED, rulesOf } from './alert-rules.ts';
import * as q from './queries.ts';
import { type RouteEnv, rulesCtx } from './route-alerts.ts';

const BATCH = 100;

/**
 * Notes "all alerts resolved" in the timeline of each open incident whose alerts are all resolved
 * (again after a later alert joined and resolved). The incident stays open — people decide —
 * unless every service that fed it has `resolveIncidentWithAlerts`. Returns how many it noted.
 */
export async function noteAlertsResolved(env: RouteEnv): Promise<number> {
  const ctx = rulesCtx(env);
  const rows = await q.incidentsWithAllAlertsResolved(
    env.tx,
    ALERT_RULES_ACTOR.name,
    ALL_ALERTS_RESOLVED,
    BATCH,
  );
  for (const { id } of rows) {
    await addNote({ ctx, input: { incidentId: id, text: ALL_ALERTS_RESOLVED } });
    const services = await q.servicesOfIncidentAlerts(env.tx, id);
    if (!services.every((s) => rulesOf(s.rules).rules.resolveIncidentWithAlerts)) continue;
    await q.savepoint(env.tx);
    try {
      await resolveIncident({
        ctx,
        input: {
          incidentId: id,
          resolution: `Every alert that fed it resolved (service rule resolveIncidentWithAlerts of ${services.map((s) => s.name).join(', ')}).`,
        },
      });
      await q.releaseSavepoint(env.tx);
    } catch (error) {
      // The plan's lifecycle may not allow resolving from the current state: say so, leave it open.
      if (!(error instanceof AppError || error instanceof ZodError)) throw error;
      await q.rollbackToSavepoint(env.tx);
      await q.releaseSavepoint(env.tx);
      await addNote({ ctx, input: { incidentId: id, text: `Not resolved automatically: ${error.message}` } });
    }
  }
  // A full batch may have left incidents behind: the engine runs the module again at once.
  if (rows.length === BATCH) env.more?.();
  return rows.length;
}
