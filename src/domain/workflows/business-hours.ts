import type { IANAZone } from 'luxon';
import { localReading, zoneOf } from '../../lib/time-zone.ts';
import type { Plan } from '../plans/plan.ts';

// Business hours for `response.hours` and the `businessHours` workflow condition, from the plan's
// `businessHours` (validated by the plan schema, with defaults: Monday–Friday 09:00–17:00 UTC).

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

/** A weekday name ("mon", "Tue") as 0 = Sunday … 6 = Saturday. */
function dayIndex(name: string): number | undefined {
  const i = DAY_NAMES.indexOf(name.slice(0, 3).toLowerCase());
  return i >= 0 ? i : undefined;
}

/** "HH:MM" as minutes after midnight. */
function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The plan's business hours. */
export function businessHoursOf(plan: Pick<Plan, 'businessHours'>): BusinessHours {
  const b = plan.businessHours;
  return {
    timeZone: b.timeZone,
    days: b.days.map((d) => dayIndex(d) ?? 0),
    start: minutesOf(b.start),
    end: minutesOf(b.end),
    holidays: b.holidays,
  };
}

const zones = new Map<string, IANAZone>();

function localTime(at: Date, timeZone: string): { day: number; minute: number; date: string } {
  let zone = zones.get(timeZone);
  if (!zone) {
    zone = zoneOf(timeZone); // the one parser: a name that is not a zone throws, never becomes UTC
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
