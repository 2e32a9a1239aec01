import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { type OverrideView, overrideView } from './overrides.ts';
import * as schedules from './queries.ts';

/** Overrides of a schedule that overlap [from, to). */
export async function listOverrides({
  ctx,
  input,
}: Operation<{ schedule: string; from: Date; to: Date }>): Promise<OverrideView[]> {
  ctx.require('read');
  const schedule = await schedules.findByName(ctx.db, input.schedule);
  if (!schedule) throw new NotFound('schedule', input.schedule);
  const rows = await schedules.overridesWithHandles(ctx.db, schedule.id, input.from, input.to);
  return rows.map((r) => overrideView(schedule.name, r));
}
