import type { IANAZone } from 'luxon';
import { parseDuration } from '../../lib/duration.ts';
import {
  type OverrideSpan,
  type Restriction,
  type Rotation,
  type ScheduleSpec,
  type Shift,
  WEEKDAY_INDEX,
} from './schedules.ts';
import { DAY, dayStart, instantOf, MINUTE, minutesOf, naiveDate, naiveOf, zoneOf } from './zone.ts';

// Who is on call when: pure computation over a schedule and its overrides, no database.
//
// Rules (README "Schedules" says the same):
// - A rotation's k-th handoff is at the local reading  anchor + k·step, where anchor is `start` at
//   `handoff` (weekly: the first `handoffDay` on or after `start`) and step is 1 day, 7 days or the
//   custom shiftLength, all in wall-clock time. So handoffs keep their local time across DST and a
//   shift can last 23 h or 25 h. Shift k belongs to participants[k mod n]. Nothing before the anchor.
// - Nonexistent local times map to the instant the clocks jump, ambiguous ones to the first
//   occurrence (see zone.ts). A shift that collapses to nothing that way (only possible for sub-day
//   lengths close to the DST jump) is skipped; the rotation order is kept.
// - Restrictions limit a layer to local windows; outside them the layer has no coverage.
// - Layers are in priority order: where several have coverage, the first listed wins.
// - Overrides: one without `replaces` puts its user on call instead of everyone (several at once: all
//   of them); a swap (`replaces: X`) takes over X's time only, where X is on call.
// - Adjacent pieces with the same people from the same layer are merged into one shift.

interface Piece {
  start: number;
  end: number;
  user: string;
}

type Interval = [number, number];

function anchorOf(layer: Rotation): number {
  let anchor = naiveDate(layer.start) + minutesOf(layer.handoff) * MINUTE;
  if (layer.type === 'weekly' && layer.handoffDay !== undefined) {
    const want = WEEKDAY_INDEX[layer.handoffDay];
    while (new Date(anchor).getUTCDay() !== want) anchor += DAY;
  }
  return anchor;
}

function stepOf(layer: Rotation): number {
  if (layer.type === 'daily') return DAY;
  if (layer.type === 'weekly') return 7 * DAY;
  return parseDuration(layer.shiftLength ?? '1d');
}

/** The rotation's shifts overlapping [from, to), clipped to it. */
function rotationPieces(zone: IANAZone, layer: Rotation, from: number, to: number): Piece[] {
  const anchor = anchorOf(layer);
  const step = stepOf(layer);
  const n = layer.participants.length;
  if (n === 0) return [];
  // Start a couple of shifts early: the naive estimate is off by at most the zone's offset change.
  let k = Math.max(0, Math.floor((naiveOf(zone, from) - anchor) / step) - 2);
  let start = instantOf(zone, anchor + k * step);
  const pieces: Piece[] = [];
  while (start < to) {
    const end = instantOf(zone, anchor + (k + 1) * step);
    if (end > from && end > start) {
      pieces.push({
        start: Math.max(start, from),
        end: Math.min(end, to),
        user: layer.participants[k % n] as string,
      });
    }
    k++;
    start = end;
  }
  return pieces;
}

/** The restriction windows of a layer over [from, to), sorted and disjoint. */
function restrictionWindows(
  zone: IANAZone,
  restrictions: Restriction[],
  from: number,
  to: number,
): Interval[] {
  if (restrictions.length === 0) return [[from, to]];
  const windows: Interval[] = [];
  // A window may start the local day before `from` and run past midnight.
  const last = dayStart(naiveOf(zone, to)) + DAY;
  for (let day = dayStart(naiveOf(zone, from)) - DAY; day <= last; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    for (const r of restrictions) {
      if (!r.days.some((d) => WEEKDAY_INDEX[d] === weekday)) continue;
      const startMin = minutesOf(r.start);
      const endMin = minutesOf(r.end);
      const s = instantOf(zone, day + startMin * MINUTE);
      const e = instantOf(zone, day + (endMin > startMin ? 0 : DAY) + endMin * MINUTE);
      const a = Math.max(s, from);
      const b = Math.min(e, to);
      if (b > a) windows.push([a, b]);
    }
  }
  windows.sort((x, y) => x[0] - y[0]);
  const merged: Interval[] = [];
  for (const w of windows) {
    const prev = merged[merged.length - 1];
    if (prev && w[0] <= prev[1]) prev[1] = Math.max(prev[1], w[1]);
    else merged.push([w[0], w[1]]);
  }
  return merged;
}

/** A layer's coverage over [from, to): its rotation cut to its restriction windows. */
function layerCoverage(zone: IANAZone, layer: Rotation, from: number, to: number): Piece[] {
  const pieces = rotationPieces(zone, layer, from, to);
  const windows = restrictionWindows(zone, layer.restrictions, from, to);
  const out: Piece[] = [];
  let w = 0;
  for (const p of pieces) {
    while (w < windows.length && (windows[w] as Interval)[1] <= p.start) w++;
    for (let i = w; i < windows.length; i++) {
      const [ws, we] = windows[i] as Interval;
      if (ws >= p.end) break;
      const a = Math.max(ws, p.start);
      const b = Math.min(we, p.end);
      if (b > a) out.push({ start: a, end: b, user: p.user });
    }
  }
  return out;
}

function sameUsers(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((u, i) => u === b[i]);
}

/** Who an instant's layers and overrides put on call. */
function resolveAt(
  at: number,
  layers: { name: string; pieces: Piece[]; next: number }[],
  overrides: OverrideSpan[],
): { users: string[]; layer: string | null; override: boolean } {
  let base: string[] = [];
  let layer: string | null = null;
  for (const l of layers) {
    while (l.next < l.pieces.length && (l.pieces[l.next] as Piece).end <= at) l.next++;
    const p = l.pieces[l.next];
    if (p && p.start <= at) {
      base = [p.user];
      layer = l.name;
      break;
    }
  }
  const active = overrides.filter((o) => o.start.getTime() <= at && o.end.getTime() > at);
  const full = active.filter((o) => !o.replaces);
  if (full.length > 0) return { users: [...new Set(full.map((o) => o.user))], layer: null, override: true };
  let swapped = false;
  const users = base.map((u) => {
    // The latest swap of this user wins when several overlap.
    const swap = active.filter((o) => o.replaces === u).at(-1);
    if (!swap) return u;
    swapped = true;
    return swap.user;
  });
  return { users: [...new Set(users)], layer, override: swapped };
}

/** The final shifts over [from, to): layers, restrictions and overrides applied; gaps left out. */
export function finalShifts(
  schedule: ScheduleSpec,
  overrides: OverrideSpan[],
  from: Date,
  to: Date,
): Shift[] {
  const f = from.getTime();
  const t = to.getTime();
  if (!(t > f)) return [];
  const zone = zoneOf(schedule.timeZone);
  const layers = schedule.layers.map((l) => ({
    name: l.name,
    pieces: layerCoverage(zone, l, f, t),
    next: 0,
  }));
  const relevant = overrides.filter((o) => o.end.getTime() > f && o.start.getTime() < t);
  const cuts = new Set<number>([f, t]);
  for (const l of layers) for (const p of l.pieces) cuts.add(p.start).add(p.end);
  for (const o of relevant) {
    cuts.add(Math.max(f, o.start.getTime())).add(Math.min(t, o.end.getTime()));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const shifts: Shift[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i] as number;
    const b = points[i + 1] as number;
    const who = resolveAt(a, layers, relevant);
    if (who.users.length === 0) continue;
    const prev = shifts[shifts.length - 1];
    if (
      prev &&
      prev.end.getTime() === a &&
      prev.layer === who.layer &&
      prev.override === who.override &&
      sameUsers(prev.users, who.users)
    ) {
      prev.end = new Date(b);
    } else {
      shifts.push({
        start: new Date(a),
        end: new Date(b),
        users: who.users,
        layer: who.layer,
        override: who.override,
      });
    }
  }
  return shifts;
}

/** Who is on call at one instant ([] when nobody). */
export function onCallAt(schedule: ScheduleSpec, overrides: OverrideSpan[], at: Date): string[] {
  return finalShifts(schedule, overrides, at, new Date(at.getTime() + 1))[0]?.users ?? [];
}

/** How far around an instant `shiftAt` looks for the start and end of the shift holding it. */
export const SHIFT_SEARCH_MS = 14 * DAY;

/**
 * The final shift holding `at`, with its start and end as far as SHIFT_SEARCH_MS either side
 * (a longer shift shows clipped there); undefined when nobody is on call. Looks a day around `at`
 * first and widens only when the shift reaches past that: most shifts are a day or a week long.
 */
export function shiftAt(schedule: ScheduleSpec, overrides: OverrideSpan[], at: Date): Shift | undefined {
  const t = at.getTime();
  for (const span of [DAY, 7 * DAY, SHIFT_SEARCH_MS]) {
    const around = finalShifts(schedule, overrides, new Date(t - span), new Date(t + span));
    const shift = around.find((s) => s.start.getTime() <= t && s.end.getTime() > t);
    if (!shift) return undefined;
    const clipped = shift.start.getTime() === t - span || shift.end.getTime() === t + span;
    if (!clipped || span === SHIFT_SEARCH_MS) return shift;
  }
  return undefined;
}

export interface LayerShifts {
  name: string;
  /** The layer's own shifts over [from, to): its rotation cut to its restrictions, one user each. */
  shifts: { start: Date; end: Date; user: string }[];
}

/**
 * Each layer's coverage on its own, before layers are stacked and overrides applied: what the console
 * draws one row a layer beside the final shifts (finalShifts is what pages people).
 */
export function layerShifts(schedule: ScheduleSpec, from: Date, to: Date): LayerShifts[] {
  const f = from.getTime();
  const t = to.getTime();
  const zone = zoneOf(schedule.timeZone);
  return schedule.layers.map((l) => ({
    name: l.name,
    shifts:
      t > f
        ? layerCoverage(zone, l, f, t).map((p) => ({
            start: new Date(p.start),
            end: new Date(p.end),
            user: p.user,
          }))
        : [],
  }));
}
