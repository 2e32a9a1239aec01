import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { hiddenIncidentIds } from '../incidents/confidential.ts';
import { publicAlert, unlinkEventData, unlinkHidden } from './alerts.ts';
import { alertIdSchema } from './inputs.ts';
import * as alerts from './queries.ts';

/** An alert with its raw payload and every event that touched it. */
export async function getAlert({ ctx, input }: Operation<{ alertId: string }>) {
  ctx.require('read');
  const id = alertIdSchema.safeParse(input.alertId);
  const alert = id.success ? await alerts.findAlert(ctx.db, id.data) : undefined;
  if (!alert) throw new NotFound('alert', input.alertId);
  const hidden = await hiddenIncidentIds(
    ctx.db,
    [alert.incident_id, alert.detached_from],
    ctx.actor,
    ctx.clock.now(),
  );
  return {
    alert: publicAlert(unlinkHidden(alert, hidden), true),
    events: (await alerts.listEvents(ctx.db, alert.id)).map((e) => ({
      ...e,
      data: unlinkEventData(e.data, hidden) as typeof e.data,
    })),
  };
}
