import { Invalid, NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as schedules from './queries.ts';
import { MAX_RANGE_DAYS, spanOfRow, specOfRow } from './schedules.ts';
import { finalShifts } from './shifts.ts';
import { handleMap, type ShiftView, shiftView } from './view.ts';

const DAY = 86_400_000;

/** Refuses a range that is empty, reversed or longer than MAX_RANGE_DAYS (path: the `to` field). */
export function checkRange(from: Date, to: Date): void {
  if (!(to.getTime() > from.getTime()))
    throw new Invalid('empty range', [{ path: 'to', message: 'must be after from' }]);
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY) {
    throw new Invalid('range too long', [
      { path: 'to', message: `at most ${MAX_RANGE_DAYS} days after from` },
    ]);
  }
}

export interface ShiftList {
  schedule: string;
  time_zone: string;
  from: string;
  to: string;
  shifts: ShiftView[];
}

/** The final shift list of a schedule over [from, to): layers, restrictions and overrides applied. */
export async function getShifts({
  ctx,
  input,
}: Operation<{ name: string; from: Date; to: Date }>): Promise<ShiftList> {
  ctx.require('read');
  checkRange(input.from, input.to);
  const row = await schedules.findByName(ctx.db, input.name);
  if (!row) throw new NotFound('schedule', input.name);
  const overrides = await schedules.overridesOverlapping(ctx.db, [row.id], input.from, input.to);
  const shifts = finalShifts(specOfRow(row), overrides.map(spanOfRow), input.from, input.to);
  const handle = await handleMap(ctx.db, [...new Set(shifts.flatMap((s) => s.users))]);
  return {
    schedule: row.name,
    time_zone: row.time_zone,
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    shifts: shifts.map((s) => shiftView(s, handle)),
  };
}
