import { describe, expect, it } from 'vitest';
import { dayStarts } from './days';

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
