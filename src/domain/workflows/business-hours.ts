import type { IANAZone } from 'luxon';
import { Invalid } from '../../errors.ts';
import { localReading, zoneOf } from '../../lib/time-zone.ts';

// Business hours for the `businessHours` workflow condition. The plan may define them; this reads the
// plan defensively (older plan versions have no such key, and the key's spelling is the plan schema's
// business) and falls back to Monday–Friday 09:00–17:00 UTC. A time zone that is not one is an error:
// plan validation refuses it, and read back it must not turn into UTC silently.

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

function timeZoneOf(value: unknown): string {
  if (value === undefined || value === null) return DEFAULT_BUSINESS_HOURS.timeZone;
  if (typeof value === 'string') {
    try {
      zoneOf(value);
      return value;
    } catch {}
  }
  throw new Invalid(`business hours: ${JSON.stringify(value)} is not an IANA time zone`, [
    { path: 'businessHours.timeZone', message: 'unknown IANA time zone' },
  ]);
}

/** The plan's business hours (any reasonable spelling), or the default. Throws on a bad time zone. */
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
    timeZone: timeZoneOf(tz),
    days: parseDays(o.days) ?? DEFAULT_BUSINESS_HOURS.days,
    start: start ?? DEFAULT_BUSINESS_HOURS.start,
    end: end ?? DEFAULT_BUSINESS_HOURS.end,
    holidays: Array.isArray(o.holidays)
      ? o.holidays.filter((d): d is string => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d))
      : [],
  };
}

const zones = new Map<string, IANAZone>();

function localTime(at: Date, timeZone: string): { day: number; minute: number; date: string } {
  let zone = zones.get(timeZone);
  if (!zone) {
    zone = zoneOf(timeZone);
    zones.set(timeZone, zone);
  }
  return localReading(at, zone);
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
