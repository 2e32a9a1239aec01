/** The starts of `count` days in a time zone, from the day containing `at` (DST days are 23 or 25 h). */
export function dayStarts(at: Date, timeZone: string, count: number): Date[] {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  })
    .format(at)
    .split('-')
    .map(Number);
  const [y = 1970, m = 1, d = 1] = parts;
  const days: Date[] = [];
  for (let i = 0; i < count; i++) days.push(midnight(y, m, d + i, timeZone));
  return days;
}

/** The instant of 00:00 on a calendar day in a zone (the offset read at that day's noon). */
function midnight(y: number, m: number, d: number, timeZone: string): Date {
  const guess = Date.UTC(y, m - 1, d, 12);
  const offset = offsetAt(new Date(guess), timeZone);
  const local = Date.UTC(y, m - 1, d);
  let instant = local - offset;
  // The offset at midnight can differ from noon's on a DST day: correct once.
  const actual = offsetAt(new Date(instant), timeZone);
  if (actual !== offset) instant = local - actual;
  return new Date(instant);
}

function offsetAt(at: Date, timeZone: string): number {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

export interface ShiftSegment {
  /** Index of the day (row) in the grid. */
  day: number;
  /** Start and end within the day, 0 (midnight) to 1 (the next midnight); DST days are 23 or 25 h. */
  from: number;
  to: number;
  users: string[];
  override: boolean;
}

/** Cuts shifts at each day's start, for a grid with one row a day (`days` as from dayStarts). */
export function shiftSegments(
  days: Date[],
  dayAfter: Date,
  shifts: { start: string; end: string; users: string[]; override: boolean }[],
): ShiftSegment[] {
  const edges = [...days.map((d) => d.getTime()), dayAfter.getTime()];
  const out: ShiftSegment[] = [];
  for (const s of shifts) {
    const start = Date.parse(s.start);
    const end = Date.parse(s.end);
    for (let i = 0; i < days.length; i++) {
      const dayStart = edges[i] as number;
      const dayEnd = edges[i + 1] as number;
      const a = Math.max(start, dayStart);
      const b = Math.min(end, dayEnd);
      if (b <= a) continue;
      const length = dayEnd - dayStart;
      out.push({
        day: i,
        from: (a - dayStart) / length,
        to: (b - dayStart) / length,
        users: s.users,
        override: s.override,
      });
    }
  }
  return out;
}
