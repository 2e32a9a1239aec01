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
