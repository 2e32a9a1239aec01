import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBusinessDuration } from '../../lib/duration.ts';
import { planSchema } from '../plans/plan-schema.ts';
import {
  addPlanDuration,
  addPlanSpan,
  businessHoursOf,
  isBusinessHours,
  planSpanOf,
  spanElapsed,
} from './business-hours.ts';

// As a plan writes them (the schema fills the defaults).
const hoursOf = (written: Record<string, unknown>) =>
  businessHoursOf({ businessHours: planSchema.shape.businessHours.parse(written) });

describe('business hours', () => {
  const addis = hoursOf({
    timeZone: 'Africa/Addis_Ababa',
    start: '09:00',
    end: '17:00',
    holidays: ['2026-09-11'],
  });

  it('reads the plan in its time zone (Addis Ababa is UTC+3)', () => {
    expect(isBusinessHours(new Date('2026-11-23T06:00:00Z'), addis)).toBe(true); // Mon 09:00 local
    expect(isBusinessHours(new Date('2026-11-23T05:59:00Z'), addis)).toBe(false);
    expect(isBusinessHours(new Date('2026-11-23T14:00:00Z'), addis)).toBe(false); // 17:00 local
    expect(isBusinessHours(new Date('2026-11-22T08:00:00Z'), addis)).toBe(false); // Sunday
  });

  it('a holiday is not a business day (Enkutatash, Friday 2026-09-11)', () => {
    expect(isBusinessHours(new Date('2026-09-11T08:00:00Z'), addis)).toBe(false);
    expect(isBusinessHours(new Date('2026-09-10T08:00:00Z'), addis)).toBe(true);
  });

  it('a window past midnight belongs to the day it starts on, holidays included', () => {
    const night = hoursOf({ start: '22:00', end: '06:00', holidays: ['2026-11-23'] });
    expect(isBusinessHours(new Date('2026-11-24T02:00:00Z'), night)).toBe(false); // Monday's night: holiday
    expect(isBusinessHours(new Date('2026-11-25T02:00:00Z'), night)).toBe(true); // Tuesday's night
  });
});

describe('business time', () => {
  // Mon–Fri 09:00–17:00 in Sydney (UTC+11 in January), Australia Day (Monday 26 January) off.
  const sydney = hoursOf({ timeZone: 'Australia/Sydney', holidays: ['2026-01-26'] });
  const at = (iso: string) => new Date(iso);

  it('reads business durations, spelled or short', () => {
    expect(parseBusinessDuration('4bh')).toEqual({ ms: 4 * 3_600_000, days: 0 });
    expect(parseBusinessDuration('1bd2bh30bm')).toEqual({ ms: 2.5 * 3_600_000, days: 1 });
    expect(parseBusinessDuration('2 business days')).toEqual({ ms: 0, days: 2 });
    expect(parseBusinessDuration('1 business hour')).toEqual({ ms: 3_600_000, days: 0 });
    expect(parseBusinessDuration('4h')).toBeUndefined();
    expect(parseBusinessDuration('4 hours')).toBeUndefined();
  });

  it('counts only business hours, skipping nights, weekends and holidays', () => {
    // Friday 23 January 16:00 Sydney (05:00Z): 1h on Friday, Monday is a holiday, Tuesday 09:00–12:00.
    expect(addPlanDuration(at('2026-01-23T05:00:00Z'), '4bh', sydney)).toEqual(at('2026-01-27T01:00:00Z'));
    // 3 business days = 24 business hours: Fri 1h, Tue 8h, Wed 8h, Thu 7h → Thursday 16:00.
    expect(addPlanDuration(at('2026-01-23T05:00:00Z'), '3bd', sydney)).toEqual(at('2026-01-29T05:00:00Z'));
    // Declared outside business hours (Saturday): the clock starts on the next business morning.
    expect(addPlanDuration(at('2026-01-24T01:00:00Z'), '30bm', sydney)).toEqual(at('2026-01-26T22:30:00Z'));
    // Wall-clock durations stay plain arithmetic.
    expect(addPlanDuration(at('2026-01-23T05:00:00Z'), '4h', sydney)).toEqual(at('2026-01-23T09:00:00Z'));
  });

  it('measures business time between two instants the way it adds it', () => {
    const span = planSpanOf('3bd', sydney);
    expect(span).toEqual({ ms: 24 * 3_600_000, business: true });
    const from = at('2026-01-23T05:00:00Z');
    expect(spanElapsed(from, at('2026-01-27T00:00:00Z'), span, sydney)).toBe(3 * 3_600_000); // Fri 1h + Tue 2h
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 * 24 * 30 }),
        fc.integer({ min: 1, max: 60 * 40 }),
        (start, mins) => {
          const begin = new Date(from.getTime() + start * 60_000);
          const s = { ms: mins * 60_000, business: true };
          const end = addPlanSpan(begin, s, sydney);
          expect(spanElapsed(begin, end, s, sydney)).toBe(s.ms);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps local opening times across a daylight-saving change', () => {
    // Sydney leaves DST on Sunday 5 April 2026 (UTC+11 → UTC+10): Monday opens at 09:00 local = 23:00Z.
    const plain = hoursOf({ timeZone: 'Australia/Sydney' });
    expect(addPlanDuration(at('2026-04-03T05:00:00Z'), '2bh', plain)).toEqual(at('2026-04-05T24:00:00Z'));
  });

  it('counts a window past midnight as one business day', () => {
    const night = hoursOf({ start: '22:00', end: '06:00' });
    expect(planSpanOf('1bd', night).ms).toBe(8 * 3_600_000);
    // Monday 21:00 UTC + 2bh → Monday 22:00–Tuesday 00:00.
    expect(addPlanDuration(at('2026-11-23T21:00:00Z'), '2bh', night)).toEqual(at('2026-11-24T00:00:00Z'));
  });
});
