import { Invalid, NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as schedules from './queries.ts';
import { MAX_RANGE_DAYS, spanOfRow, specOfRow } from './schedules.ts';
import { finalShifts, layerShifts } from './shifts.ts';
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
  /** Each layer's own shifts (before layers stack and overrides apply), for drawing a row a layer. */
  layers: { name: string; shifts: { start: string; end: string; user: string }[] }[];
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
  const spec = specOfRow(row);
  const shifts = finalShifts(spec, overrides.map(spanOfRow), input.from, input.to);
  const layers = layerShifts(spec, input.from, input.to);
  const users = [...shifts.flatMap((s) => s.users), ...layers.flatMap((l) => l.shifts.map((s) => s.user))];
  const handle = await handleMap(ctx.db, [...new Set(users)]);
  return {
    schedule: row.name,
    time_zone: row.time_zone,
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    shifts: shifts.map((s) => shiftView(s, handle)),
    layers: layers.map((l) => ({
      name: l.name,
      shifts: l.shifts.map((s) => ({
        start: s.start.toISOString(),
        end: s.end.toISOString(),
        user: handle(s.user),
      })),
    })),
  };
}
