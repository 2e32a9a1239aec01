import type { Operation } from '../context.ts';
import * as schedules from './queries.ts';
import { participantIds, specOfRow } from './schedules.ts';
import { handleMap, type ScheduleView, scheduleView } from './view.ts';

export async function listSchedules({ ctx }: Operation<undefined>): Promise<ScheduleView[]> {
  ctx.require('read');
  const rows = await schedules.listAll(ctx.db);
  const handle = await handleMap(ctx.db, [...new Set(rows.flatMap((r) => participantIds(specOfRow(r))))]);
  return rows.map((r) => scheduleView(r, handle));
}
