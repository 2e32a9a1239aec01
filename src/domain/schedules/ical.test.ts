import { describe, expect, it } from 'vitest';
import { escapeText, foldLine, renderCalendar, shiftUid, utcStamp } from './ical.ts';

describe('iCal writer', () => {
  it('escapes TEXT values', () => {
    expect(escapeText('a,b;c\\d\ne\r\nf')).toBe('a\\,b\\;c\\\\d\\ne\\nf');
  });

  it('folds lines at 75 octets without splitting a UTF-8 character', () => {
    const long = `SUMMARY:${'x'.repeat(200)}`;
    const folded = foldLine(long).split('\r\n');
    expect(folded.map((l) => Buffer.byteLength(l))).toEqual([75, 75, 1 + (208 - 75 - 74)]); // a space, then the rest
    expect(folded.slice(1).every((l) => l.startsWith(' '))).toBe(true);
    expect(folded.map((l, i) => (i === 0 ? l : l.slice(1))).join('')).toBe(long);

    const amharic = `SUMMARY:${'ሰላም'.repeat(30)}`; // 3 octets per character
    const lines = foldLine(amharic).split('\r\n');
    expect(lines.every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    expect(lines.map((l, i) => (i === 0 ? l : l.slice(1))).join('')).toBe(amharic);
    expect(foldLine('SHORT:1')).toBe('SHORT:1');
  });

  it('writes a calendar with CRLF, UTC times, DTSTAMP and one VEVENT per event', () => {
    const start = new Date('2026-03-08T13:00:00Z');
    const text = renderCalendar({
      name: 'On call: primary, EU',
      stamp: new Date('2026-03-01T00:00:00.123Z'),
      events: [
        {
          uid: shiftUid('primary', start, 'selam'),
          start,
          end: new Date('2026-03-09T13:00:00Z'),
          summary: 'selam on call; primary',
        },
      ],
    });
    expect(text.split('\r\n')).toEqual([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Tocsin//On-call schedules//EN',
      'CALSCALE:GREGORIAN',
      'METHOD:PUBLISH',
      'X-WR-CALNAME:On call: primary\\, EU',
      'BEGIN:VEVENT',
      `UID:${shiftUid('primary', start, 'selam')}`,
      'DTSTAMP:20260301T000000Z',
      'DTSTART:20260308T130000Z',
      'DTEND:20260309T130000Z',
      'SUMMARY:selam on call\\; primary',
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ]);
    expect(utcStamp(start)).toBe('20260308T130000Z');
  });

  it('derives UIDs from schedule, start and user only', () => {
    const at = new Date('2026-03-08T13:00:00Z');
    expect(shiftUid('primary', at, 'selam')).toBe(shiftUid('primary', new Date(at), 'selam'));
    expect(shiftUid('primary', at, 'selam')).not.toBe(shiftUid('primary', at, 'dawit'));
    expect(shiftUid('primary', at, 'selam')).not.toBe(shiftUid('secondary', at, 'selam'));
    expect(shiftUid('primary', at, 'selam')).toMatch(/^[0-9a-f]{32}@tocsin$/);
  });
});
