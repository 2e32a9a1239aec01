import type { IANAZone } from 'luxon';

export { zoneOf } from '../../lib/time-zone.ts';

// Wall-clock arithmetic in an IANA zone. A "naive" time is a local wall-clock reading written as if it
// were UTC epoch milliseconds (2026-03-08 09:00 local → Date.UTC(2026, 2, 8, 9, 0)): days and hours are
// added to it without any zone rule, and only the final reading is turned into an instant. That is what
// keeps a daily 09:00 handoff at 09:00 local on both sides of a DST change.

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The local wall-clock reading of an instant, as naive milliseconds. */
export function naiveOf(zone: IANAZone, instant: number): number {
  return instant + zone.offset(instant) * MINUTE;
}

/**
 * The instant a local wall-clock reading names. Two readings are not plain:
 * - ambiguous (the hour repeated when clocks go back): the first occurrence, i.e. the earlier instant;
 * - nonexistent (skipped when clocks go forward, e.g. 02:30 in New York on 2026-03-08): the instant the
 *   clocks jump, so a 02:30 handoff happens at 03:00 local that day (02:00 → 02:30 at Lord Howe).
 */
export function instantOf(zone: IANAZone, naive: number): number {
  // Offsets that can apply around this reading; zone transitions are never less than days apart.
  const offsets = [...new Set([naive - DAY, naive, naive + DAY].map((t) => zone.offset(t)))];
  const valid = offsets.map((o) => naive - o * MINUTE).filter((i) => zone.offset(i) * MINUTE === naive - i);
  if (valid.length > 0) return Math.min(...valid);
  if (offsets.length < 2) return naive - (offsets[0] ?? 0) * MINUTE;
  // A gap: before the jump the reading maps past it, after the jump before it. The jump lies between.
  const after = Math.max(...offsets);
  let lo = naive - after * MINUTE; // still on the old offset: reads earlier than `naive`
  let hi = naive - Math.min(...offsets) * MINUTE; // already on the new offset: reads later
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (zone.offset(mid) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Naive midnight of the local day a naive reading falls on. */
export function dayStart(naive: number): number {
  return Math.floor(naive / DAY) * DAY;
}

/** "HH:MM" (00:00–24:00) → minutes after midnight. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** "YYYY-MM-DD" → naive midnight. */
export function naiveDate(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1);
}
