import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as users from '../users/queries.ts';
import { feedWindow } from './feed-window.ts';
import { renderCalendar, shiftUid } from './ical.ts';
import * as schedules from './queries.ts';
import { spanOfRow, specOfRow } from './schedules.ts';
import { finalShifts } from './shifts.ts';

/** The iCal feed of one person's on-call shifts across every schedule. */
export async function userCalendar({ ctx, input }: Operation<{ handle: string }>): Promise<string> {
  ctx.require('read');
  const user = await users.findByHandle(ctx.db, input.handle);
  if (!user) throw new NotFound('user', input.handle);
  const id = String(user.id);
  const now = ctx.clock.now();
  const w = feedWindow(now);
  const rows = await schedules.listAll(ctx.db);
  const overrides = await schedules.overridesOverlapping(
    ctx.db,
    rows.map((r) => String(r.id)),
    w.computeFrom,
    w.to,
  );
  const events = rows.flatMap((row) => {
    const own = overrides.filter((o) => String(o.schedule_id) === String(row.id)).map(spanOfRow);
    return finalShifts(specOfRow(row), own, w.computeFrom, w.to)
      .filter((s) => s.end > w.from && s.users.includes(id))
      .map((s) => ({
        uid: shiftUid(row.name, s.start, user.handle),
        start: s.start,
        end: s.end,
        summary: `On call: ${row.name}`,
        description: `Schedule ${row.name} (${row.time_zone})${s.override ? ', override' : s.layer ? `, layer ${s.layer}` : ''}`,
      }));
  });
  events.sort((a, b) => a.start.getTime() - b.start.getTime());
  return renderCalendar({ name: `On call: ${user.handle}`, stamp: now, events });
}
