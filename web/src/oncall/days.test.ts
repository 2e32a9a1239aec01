import { describe, expect, it } from 'vitest';
import { dayStarts, shiftSegments } from './days';

describe('dayStarts', () => {
  it('gives local midnights across a DST change (Berlin, 29 March 2026 is 23 hours long)', () => {
    const days = dayStarts(new Date('2026-03-28T10:00:00Z'), 'Europe/Berlin', 3);
    expect(days.map((d) => d.toISOString())).toEqual([
      '2026-03-27T23:00:00.000Z',
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
    ]);
  });
  it('starts on the viewer-zone day containing the instant', () => {
    const [first] = dayStarts(new Date('2026-12-03T22:30:00Z'), 'Africa/Addis_Ababa', 1);
    expect(first?.toISOString()).toBe('2026-12-03T21:00:00.000Z');
  });
});

describe('shiftSegments', () => {
  it('cuts a shift at midnight and measures a DST day by its own 23 hours', () => {
    const days = dayStarts(new Date('2026-03-28T10:00:00Z'), 'Europe/Berlin', 2);
    const after = new Date('2026-03-29T22:00:00Z');
    // 18:00 Saturday to 12:00 Sunday Berlin time (Sunday is 23 h long: 02:00 does not exist).
    const segments = shiftSegments(days, after, [
      { start: '2026-03-28T17:00:00Z', end: '2026-03-29T10:00:00Z', users: ['alice'], override: false },
      { start: '2026-03-20T00:00:00Z', end: '2026-03-21T00:00:00Z', users: ['outside'], override: false },
    ]);
    expect(segments).toEqual([
      { day: 0, from: 18 / 24, to: 1, users: ['alice'], override: false },
      // Noon on a 23-hour day: 11 real hours after midnight.
      { day: 1, from: 0, to: 11 / 23, users: ['alice'], override: false },
    ]);
  });
});
