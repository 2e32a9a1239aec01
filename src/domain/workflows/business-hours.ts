import { DateTime, type IANAZone } from 'luxon';
import { parseBusinessDuration, parseDuration } from '../../lib/duration.ts';
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

const planHours = new WeakMap<Pick<Plan, 'businessHours'>, BusinessHours>();

/** businessHoursOf, read once per plan object (timers evaluate it on every tick). */
export function planBusinessHours(plan: Pick<Plan, 'businessHours'>): BusinessHours {
  let hours = planHours.get(plan);
  if (!hours) {
    hours = businessHoursOf(plan);
    planHours.set(plan, hours);
  }
  return hours;
}

const zones = new Map<string, IANAZone>();

function cachedZone(timeZone: string): IANAZone {
  let zone = zones.get(timeZone);
  if (!zone) {
    zone = zoneOf(timeZone); // the one parser: a name that is not a zone throws, never becomes UTC
    zones.set(timeZone, zone);
  }
  return zone;
}

function localTime(at: Date, timeZone: string): { day: number; minute: number; date: string } {
  return localReading(at, cachedZone(timeZone));
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

// --- business time ---------------------------------------------------------------------------------
// A plan duration is wall-clock ("4h": plain arithmetic) or business ("4bh", "2bd": only the minutes
// inside business hours count, in the plan's time zone, holidays skipped). Targets, task and
// checklist due times and workflow timers all go through addPlanDuration / planPeriodsElapsed.

/** How far ahead business time is searched: a plan whose hours never open has no due time. */
const SEARCH_DAYS = 3 * 366;

/** Minutes in one business-hours window (a window past midnight included). */
function windowMinutes(hours: BusinessHours): number {
  if (hours.start === hours.end) return 0;
  return hours.end > hours.start ? hours.end - hours.start : hours.end + 1440 - hours.start;
}

/** A duration in the plan's terms: `ms` of wall-clock time, or of business time. */
export interface PlanSpan {
  ms: number;
  business: boolean;
}

export function planSpanOf(text: string, hours: BusinessHours): PlanSpan {
  const b = parseBusinessDuration(text);
  if (!b) return { ms: parseDuration(text), business: false };
  return { ms: b.ms + b.days * windowMinutes(hours) * 60_000, business: true };
}

/** The business-hours windows [start, end) in epoch ms, in order, from the one open at or after `from`. */
function* businessWindows(from: Date, hours: BusinessHours): Generator<[number, number]> {
  const zone = cachedZone(hours.timeZone);
  const length = windowMinutes(hours);
  if (length === 0) return;
  // The previous local day's window may run past midnight into `from`.
  let day = DateTime.fromJSDate(from, { zone }).startOf('day').minus({ days: 1 });
  for (let i = 0; i < SEARCH_DAYS; i++, day = day.plus({ days: 1 })) {
    if (!hours.days.includes(day.weekday % 7) || hours.holidays.includes(day.toISODate() ?? '')) continue;
    const start = atMinute(day, hours.start);
    const end =
      hours.end > hours.start ? atMinute(day, hours.end) : atMinute(day.plus({ days: 1 }), hours.end);
    if (end > from.getTime()) yield [Math.max(start, from.getTime()), end];
  }
}

/** Epoch ms of a local day's minute (24:00 is the next midnight), on the local clock across DST. */
function atMinute(day: DateTime, minute: number): number {
  if (minute >= 1440) return day.plus({ days: 1 }).toMillis();
  return day.set({ hour: Math.floor(minute / 60), minute: minute % 60 }).toMillis();
}

/** `start` plus a plan duration: wall-clock arithmetic, or counting only business hours. */
export function addPlanSpan(start: Date, span: PlanSpan, hours: BusinessHours): Date {
  if (!span.business) return new Date(start.getTime() + span.ms);
  let rest = span.ms;
  if (rest <= 0) return start;
  for (const [from, to] of businessWindows(start, hours)) {
    if (to - from >= rest) return new Date(from + rest);
    rest -= to - from;
  }
  return new Date(8.64e15); // the hours never open again: never due
}

export function addPlanDuration(start: Date, text: string, hours: BusinessHours): Date {
  return addPlanSpan(start, planSpanOf(text, hours), hours);
}

/** Time from `from` to `to` as the span counts it: wall-clock, or business time only. */
export function spanElapsed(from: Date, to: Date, span: PlanSpan, hours: BusinessHours): number {
  if (!span.business) return to.getTime() - from.getTime();
  let total = 0;
  for (const [start, end] of businessWindows(from, hours)) {
    if (start >= to.getTime()) break;
    total += Math.min(end, to.getTime()) - start;
  }
  return total;
}
