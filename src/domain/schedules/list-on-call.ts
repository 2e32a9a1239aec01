import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as schedules from './queries.ts';
import { spanOfRow, specOfRow } from './schedules.ts';
import { SHIFT_SEARCH_MS, shiftAt } from './shifts.ts';
import { handleMap } from './view.ts';

/** Who is on call for one schedule at an instant, and the shift they are in. */
export interface OnCallView {
  schedule: string;
  time_zone: string;
  at: string;
  users: string[];
  /** The current shift (start/end within 14 days of `at`), null when nobody is on call. */
  shift: { start: string; end: string; layer: string | null; override: boolean } | null;
}

/**
 * Who is on call at `at` (default now) in every schedule, or in the one named. Three queries for any
 * number of schedules: the schedules, their overrides around `at`, the handles.
 */
export async function listOnCall({
  ctx,
  input,
}: Operation<{ schedule?: string | undefined; at?: Date | undefined }>): Promise<OnCallView[]> {
  ctx.require('read');
  const at = input.at ?? ctx.clock.now();
  let rows = await schedules.listAll(ctx.db);
  if (input.schedule !== undefined) {
    rows = rows.filter((r) => r.name === input.schedule);
    if (rows.length === 0) throw new NotFound('schedule', input.schedule);
  }
  const around = (ms: number) => new Date(at.getTime() + ms);
  const overrides = await schedules.overridesOverlapping(
    ctx.db,
    rows.map((r) => String(r.id)),
    around(-SHIFT_SEARCH_MS),
    around(SHIFT_SEARCH_MS),
  );
  const found = rows.map((r) => ({
    row: r,
    shift: shiftAt(
      specOfRow(r),
      overrides.filter((o) => String(o.schedule_id) === String(r.id)).map(spanOfRow),
      at,
    ),
  }));
  const handle = await handleMap(ctx.db, [...new Set(found.flatMap((f) => f.shift?.users ?? []))]);
  return found.map(({ row, shift }) => ({
    schedule: row.name,
    time_zone: row.time_zone,
    at: at.toISOString(),
    users: (shift?.users ?? []).map(handle),
    shift: shift
      ? {
          start: shift.start.toISOString(),
          end: shift.end.toISOString(),
          layer: shift.layer,
          override: shift.override,
        }
      : null,
  }));
}
