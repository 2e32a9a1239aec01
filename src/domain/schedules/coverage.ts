import type { Executor } from '../../db/schema.ts';
import * as schedules from './queries.ts';
import { type Shift, spanOfRow, specOfRow } from './schedules.ts';
import { finalShifts } from './shifts.ts';

// Who covers what over a stretch of time, for every schedule at once: on-call hours per person
// (reports) and the times a schedule has nobody on call (readiness). The shifts are the same final
// shifts the pager reads (layers, restrictions, overrides).

export interface ScheduleCoverage {
  schedule: string;
  time_zone: string;
  shifts: Shift[];
}

interface Span {
  start: number;
  end: number;
}

/** Every schedule's final shifts over [from, to). */
export async function coverageOfAll(db: Executor, from: Date, to: Date): Promise<ScheduleCoverage[]> {
  const rows = await schedules.listAll(db);
  const overrides = await schedules.overridesOverlapping(
    db,
    rows.map((r) => r.id),
    from,
    to,
  );
  return rows.map((row) => ({
    schedule: row.name,
    time_zone: row.time_zone,
    shifts: finalShifts(
      specOfRow(row),
      overrides.filter((o) => o.schedule_id === row.id).map(spanOfRow),
      from,
      to,
    ),
  }));
}

/** Sorted, merged spans (touching or overlapping spans become one). */
function merge(spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    const last = out.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** The stretches of [from, to) when a schedule has nobody on call. */
export function gapsOf(shifts: Shift[], from: Date, to: Date): { start: Date; end: Date }[] {
  const covered = merge(
    shifts.filter((s) => s.users.length > 0).map((s) => ({ start: s.start.getTime(), end: s.end.getTime() })),
  );
  const gaps: { start: Date; end: Date }[] = [];
  let at = from.getTime();
  for (const c of covered) {
    if (c.start > at) gaps.push({ start: new Date(at), end: new Date(Math.min(c.start, to.getTime())) });
    at = Math.max(at, c.end);
  }
  if (at < to.getTime()) gaps.push({ start: new Date(at), end: to });
  return gaps.filter((g) => g.end.getTime() > g.start.getTime());
}

/**
 * Milliseconds each person (user id) was on call: the union of their shifts over every schedule, so
 * two schedules covering the same hour count it once.
 */
export function onCallMsPerUser(coverage: ScheduleCoverage[]): Map<string, number> {
  const spans = new Map<string, Span[]>();
  for (const c of coverage) {
    for (const s of c.shifts) {
      for (const u of s.users) {
        const list = spans.get(u) ?? [];
        list.push({ start: s.start.getTime(), end: s.end.getTime() });
        spans.set(u, list);
      }
    }
  }
  return new Map([...spans].map(([u, list]) => [u, merge(list).reduce((n, s) => n + s.end - s.start, 0)]));
}
