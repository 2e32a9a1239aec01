import { describe, expect, it } from 'vitest';
import { planSchema } from '../plans/plan-schema.ts';
import { businessHoursOf, isBusinessHours } from './business-hours.ts';

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
