import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { publicAlert } from './alerts.ts';
import { alertIdSchema } from './inputs.ts';
import * as alerts from './queries.ts';

/** An alert with its raw payload and every event that touched it. */
export async function getAlert({ ctx, input }: Operation<{ alertId: string }>) {
  ctx.require('read');
  const id = alertIdSchema.safeParse(input.alertId);
  const alert = id.success ? await alerts.findAlert(ctx.db, id.data) : undefined;
  if (!alert) throw new NotFound('alert', input.alertId);
  return { alert: publicAlert(alert, true), events: await alerts.listEvents(ctx.db, alert.id) };
}
