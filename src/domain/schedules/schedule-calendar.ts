import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { feedWindow } from './feed-window.ts';
import { renderCalendar, shiftUid } from './ical.ts';
import * as schedules from './queries.ts';
import { spanOfRow, specOfRow } from './schedules.ts';
import { finalShifts } from './shifts.ts';
import { handleMap } from './view.ts';

/** The iCal feed of a schedule: one VEVENT per shift and person on call. */
export async function scheduleCalendar({ ctx, input }: Operation<{ name: string }>): Promise<string> {
  ctx.require('read');
  const row = await schedules.findByName(ctx.db, input.name);
  if (!row) throw new NotFound('schedule', input.name);
  const now = ctx.clock.now();
  const w = feedWindow(now);
  const overrides = await schedules.overridesOverlapping(ctx.db, [row.id], w.computeFrom, w.to);
  const shifts = finalShifts(specOfRow(row), overrides.map(spanOfRow), w.computeFrom, w.to).filter(
    (s) => s.end > w.from,
  );
  const handle = await handleMap(ctx.db, [...new Set(shifts.flatMap((s) => s.users))]);
  const events = shifts.flatMap((s) =>
    s.users.map((id) => ({
      uid: shiftUid(row.name, s.start, handle(id)),
      start: s.start,
      end: s.end,
      summary: `${handle(id)} on call (${row.name})`,
      description: `Schedule ${row.name} (${row.time_zone})${s.override ? ', override' : s.layer ? `, layer ${s.layer}` : ''}`,
    })),
  );
  return renderCalendar({ name: `On call: ${row.name}`, stamp: now, events });
}
