import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as schedules from './queries.ts';
import { type ScheduleView, viewOf } from './view.ts';

export async function getSchedule({ ctx, input }: Operation<{ name: string }>): Promise<ScheduleView> {
  ctx.require('read');
  const row = await schedules.findWithTeam(ctx.db, input.name);
  if (!row) throw new NotFound('schedule', input.name);
  return viewOf(ctx.db, row);
}
