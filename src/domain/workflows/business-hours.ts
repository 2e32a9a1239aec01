// Business hours for the `businessHours` workflow condition. The plan may define them; this reads the
// plan defensively (older plan versions have no such key, and the key's spelling is the plan schema's
// business) and falls back to Monday–Friday 09:00–17:00 UTC.

export interface BusinessHours {
  timeZone: string;
  /** Days of the week, 0 = Sunday … 6 = Saturday. */
  days: number[];
  /** Minutes after local midnight; end < start means the window runs past midnight. */
  start: number;
  end: number;
  /** Local dates (YYYY-MM-DD) that are not business days. */
  holidays: string[];
}

export const DEFAULT_BUSINESS_HOURS: BusinessHours = {
  timeZone: 'UTC',
  days: [1, 2, 3, 4, 5],
  start: 9 * 60,
  end: 17 * 60,
  holidays: [],
};

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function dayIndex(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 7) return value % 7;
  if (typeof value !== 'string') return undefined;
  const i = DAY_NAMES.indexOf(value.trim().slice(0, 3).toLowerCase());
  return i >= 0 ? i : undefined;
}

function parseDays(value: unknown): number[] | undefined {
  if (Array.isArray(value)) {
    const days = value.map(dayIndex).filter((d): d is number => d !== undefined);
    return days.length > 0 ? [...new Set(days)] : undefined;
  }
  if (typeof value === 'string') {
    const range = /^\s*(\w+)\s*[-–]\s*(\w+)\s*$/.exec(value);
    if (range) {
      const from = dayIndex(range[1]);
      const to = dayIndex(range[2]);
      if (from === undefined || to === undefined) return undefined;
      const out: number[] = [];
      for (let d = from; ; d = (d + 1) % 7) {
        out.push(d);
        if (d === to || out.length === 7) break;
      }
      return out;
    }
    return parseDays(value.split(','));
  }
  return undefined;
}

function parseClock(value: unknown): number | undefined {
  if (typeof value === 'number' && value >= 0 && value <= 24) return value * 60;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d{1,2})(?::(\d{2}))?\s*$/.exec(value);
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2] ?? 0);
  return minutes <= 24 * 60 ? minutes : undefined;
}

function validTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || tz.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The plan's business hours (any reasonable spelling), or the default. Never throws. */
export function businessHoursOf(plan: unknown): BusinessHours {
  const raw = (plan as { businessHours?: unknown } | null | undefined)?.businessHours;
  if (!raw || typeof raw !== 'object') return DEFAULT_BUSINESS_HOURS;
  const o = raw as Record<string, unknown>;
  const tz = o.timeZone ?? o.timezone ?? o.tz ?? o.zone;
  let start = parseClock(o.start ?? o.from ?? o.opens);
  let end = parseClock(o.end ?? o.to ?? o.closes);
  if (typeof o.hours === 'string') {
    const [a, b] = o.hours.split(/[-–]/);
    start = parseClock(a) ?? start;
    end = parseClock(b) ?? end;
  }
  return {
    timeZone: validTimeZone(tz) ? tz : DEFAULT_BUSINESS_HOURS.timeZone,
    days: parseDays(o.days) ?? DEFAULT_BUSINESS_HOURS.days,
    start: start ?? DEFAULT_BUSINESS_HOURS.start,
    end: end ?? DEFAULT_BUSINESS_HOURS.end,
    holidays: Array.isArray(o.holidays)
      ? o.holidays.filter((d): d is string => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d))
      : [],
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localTime(at: Date, timeZone: string): { day: number; minute: number; date: string } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  let day = 0;
  let minute = 0;
  const ymd = { year: '', month: '', day: '' };
  for (const part of f.formatToParts(at)) {
    if (part.type === 'weekday') day = dayIndex(part.value) ?? 0;
    else if (part.type === 'hour') minute += Number(part.value) * 60;
    else if (part.type === 'minute') minute += Number(part.value);
    else if (part.type === 'year' || part.type === 'month' || part.type === 'day')
      ymd[part.type] = part.value;
  }
  return { day, minute, date: `${ymd.year}-${ymd.month}-${ymd.day}` };
}

/** The local date one day before YYYY-MM-DD (for windows that run past midnight). */
function previousDate(date: string): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** Whether `at` falls inside the business hours (start inclusive, end exclusive), holidays excluded. */
export function isBusinessHours(at: Date, hours: BusinessHours): boolean {
  const { day, minute, date } = localTime(at, hours.timeZone);
  if (hours.start === hours.end) return false;
  const workday = (d: number, ymd: string) => hours.days.includes(d) && !hours.holidays.includes(ymd);
  if (hours.start < hours.end) {
    return workday(day, date) && minute >= hours.start && minute < hours.end;
  }
  // Past midnight: the early-morning part belongs to the previous day's window.
  if (minute >= hours.start) return workday(day, date);
  if (minute < hours.end) return workday((day + 6) % 7, previousDate(date));
  return false;
}
