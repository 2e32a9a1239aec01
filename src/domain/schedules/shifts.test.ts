import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type OverrideSpan, type Rotation, type ScheduleSpec, type Shift, WEEKDAYS } from './schedules.ts';
import { finalShifts, layerShifts, onCallAt, shiftAt } from './shifts.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ZONES = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Africa/Addis_Ababa'] as const;

function layer(over: Partial<Rotation> = {}): Rotation {
  return {
    name: 'layer-1',
    type: 'daily',
    handoff: '09:00',
    start: '2026-03-01',
    participants: ['a', 'b', 'c'],
    restrictions: [],
    ...over,
  };
}

function schedule(timeZone: string, ...layers: Rotation[]): ScheduleSpec {
  return { timeZone, layers: layers.length > 0 ? layers : [layer()] };
}

const iso = (s: Shift) => [s.start.toISOString(), s.end.toISOString(), s.users.join(',')];
const local = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm');

describe('finalShifts on known DST dates', () => {
  it('keeps a daily 09:00 handoff at 09:00 in New York across 2026-03-08 (a 23 h shift)', () => {
    const shifts = finalShifts(
      schedule('America/New_York'),
      [],
      new Date('2026-03-07T14:00:00Z'),
      new Date('2026-03-09T13:00:00Z'),
    );
    expect(shifts.map(iso)).toEqual([
      ['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z', 'a'], // day 6 of the rotation: a
      ['2026-03-08T13:00:00.000Z', '2026-03-09T13:00:00.000Z', 'b'],
    ]);
    expect(shifts[0]?.end.getTime()).toBe((shifts[0]?.start.getTime() ?? 0) + 23 * HOUR);
  });

  it('moves a 02:30 handoff to 03:00 on the New York spring-forward day, and keeps the first 01:30 on fall-back', () => {
    const spring = finalShifts(
      schedule('America/New_York', layer({ handoff: '02:30' })),
      [],
      new Date('2026-03-07T00:00:00Z'),
      new Date('2026-03-10T00:00:00Z'),
    );
    expect(spring.map((s) => s.start.toISOString()).slice(1)).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:00:00.000Z', // 02:30 does not exist: 03:00 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
    const fall = finalShifts(
      schedule('America/New_York', layer({ handoff: '01:30' })),
      [],
      new Date('2026-10-31T00:00:00Z'),
      new Date('2026-11-03T00:00:00Z'),
    );
    expect(fall.map((s) => s.start.toISOString()).slice(1)).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z', // the first 01:30 (EDT), not the second (EST)
      '2026-11-02T06:30:00.000Z',
    ]);
    expect(fall[2]?.end.getTime()).toBe((fall[2]?.start.getTime() ?? 0) + 25 * HOUR);
  });

  it('hands off at 09:00 local in London across 2026-03-29 and puts a skipped 01:30 at 02:00 BST', () => {
    const shifts = finalShifts(
      schedule('Europe/London'),
      [],
      new Date('2026-03-28T00:00:00Z'),
      new Date('2026-03-31T00:00:00Z'),
    );
    expect(shifts.slice(1).map((s) => s.start.toISOString())).toEqual([
      '2026-03-28T09:00:00.000Z',
      '2026-03-29T08:00:00.000Z',
      '2026-03-30T08:00:00.000Z',
    ]);
    const skipped = finalShifts(
      schedule('Europe/London', layer({ handoff: '01:30' })),
      [],
      new Date('2026-03-29T00:00:00Z'),
      new Date('2026-03-29T12:00:00Z'),
    );
    expect(skipped.map((s) => s.start.toISOString())).toEqual([
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
    ]);
    expect(local(skipped[1]?.start.getTime() ?? 0, 'Europe/London')).toBe('2026-03-29 02:00');
  });

  it('handles Lord Howe’s 30-minute change on 2026-10-04 (a 23.5 h shift; 02:15 happens at 02:30)', () => {
    const shifts = finalShifts(
      schedule('Australia/Lord_Howe'),
      [],
      new Date('2026-10-02T22:30:00Z'),
      new Date('2026-10-04T22:00:00Z'),
    );
    expect(shifts.map(iso)).toEqual([
      ['2026-10-02T22:30:00.000Z', '2026-10-03T22:00:00.000Z', 'a'], // 09:00 +10:30 → 09:00 +11:00
      ['2026-10-03T22:00:00.000Z', '2026-10-04T22:00:00.000Z', 'b'],
    ]);
    const early = finalShifts(
      schedule('Australia/Lord_Howe', layer({ handoff: '02:15' })),
      [],
      new Date('2026-10-03T12:00:00Z'),
      new Date('2026-10-03T20:00:00Z'),
    );
    expect(early[1]?.start.toISOString()).toBe('2026-10-03T15:30:00.000Z');
    expect(local(early[1]?.start.getTime() ?? 0, 'Australia/Lord_Howe')).toBe('2026-10-04 02:30');
  });

  it('gives Addis Ababa (no DST) 24 h shifts at 06:00 UTC all year', () => {
    const shifts = finalShifts(
      schedule('Africa/Addis_Ababa'),
      [],
      new Date('2026-03-01T06:00:00Z'),
      new Date('2026-12-01T06:00:00Z'),
    );
    expect(shifts.every((s) => s.end.getTime() - s.start.getTime() === DAY)).toBe(true);
    expect(shifts.every((s) => s.start.toISOString().endsWith('T06:00:00.000Z'))).toBe(true);
  });
});

describe('finalShifts rules', () => {
  it('hands a weekly rotation off on its day and nothing before the rotation starts', () => {
    const weekly = layer({ type: 'weekly', handoffDay: 'mon', start: '2026-03-04' }); // a Wednesday
    const shifts = finalShifts(
      schedule('Europe/London', weekly),
      [],
      new Date('2026-03-01T00:00:00Z'),
      new Date('2026-03-24T00:00:00Z'),
    );
    expect(shifts.map(iso)).toEqual([
      ['2026-03-09T09:00:00.000Z', '2026-03-16T09:00:00.000Z', 'a'],
      ['2026-03-16T09:00:00.000Z', '2026-03-23T09:00:00.000Z', 'b'],
      ['2026-03-23T09:00:00.000Z', '2026-03-24T00:00:00.000Z', 'c'],
    ]);
  });

  it('lets the first layer win where it has coverage: business hours over a 24/7 layer', () => {
    const day = layer({
      name: 'business-hours',
      participants: ['d'],
      restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' }],
    });
    const night = layer({ name: 'always', type: 'weekly', participants: ['n'] });
    // Friday 2026-03-06 to Monday 2026-03-09 in Addis Ababa (UTC+3).
    const shifts = finalShifts(
      schedule('Africa/Addis_Ababa', day, night),
      [],
      new Date('2026-03-06T00:00:00Z'),
      new Date('2026-03-09T12:00:00Z'),
    );
    expect(shifts.map((s) => [...iso(s), s.layer])).toEqual([
      ['2026-03-06T00:00:00.000Z', '2026-03-06T06:00:00.000Z', 'n', 'always'],
      ['2026-03-06T06:00:00.000Z', '2026-03-06T15:00:00.000Z', 'd', 'business-hours'],
      ['2026-03-06T15:00:00.000Z', '2026-03-09T06:00:00.000Z', 'n', 'always'],
      ['2026-03-09T06:00:00.000Z', '2026-03-09T12:00:00.000Z', 'd', 'business-hours'],
    ]);
  });

  it('leaves gaps where restrictions leave no coverage, including windows past midnight', () => {
    const nights = layer({
      participants: ['a'],
      restrictions: [{ days: ['fri'], start: '22:00', end: '02:00' }],
    });
    const shifts = finalShifts(
      schedule('Africa/Addis_Ababa', nights),
      [],
      new Date('2026-03-05T00:00:00Z'),
      new Date('2026-03-14T00:00:00Z'),
    );
    expect(shifts.map(iso)).toEqual([
      ['2026-03-06T19:00:00.000Z', '2026-03-06T23:00:00.000Z', 'a'],
      ['2026-03-13T19:00:00.000Z', '2026-03-13T23:00:00.000Z', 'a'],
    ]);
  });

  it('applies a full override to everyone and a swap only to the user it replaces', () => {
    const two = schedule('Africa/Addis_Ababa', layer({ participants: ['a', 'b'], start: '2026-03-02' }));
    const overrides: OverrideSpan[] = [
      {
        start: new Date('2026-03-02T12:00:00Z'),
        end: new Date('2026-03-02T14:00:00Z'),
        user: 'x',
        replaces: null,
      },
      // b is on call from 03-03 06:00Z; this swap spans a's time too, which it leaves alone.
      {
        start: new Date('2026-03-03T00:00:00Z'),
        end: new Date('2026-03-03T12:00:00Z'),
        user: 'y',
        replaces: 'b',
      },
    ];
    const shifts = finalShifts(
      two,
      overrides,
      new Date('2026-03-02T06:00:00Z'),
      new Date('2026-03-04T06:00:00Z'),
    );
    expect(shifts.map((s) => [...iso(s), s.layer, s.override])).toEqual([
      ['2026-03-02T06:00:00.000Z', '2026-03-02T12:00:00.000Z', 'a', 'layer-1', false],
      ['2026-03-02T12:00:00.000Z', '2026-03-02T14:00:00.000Z', 'x', null, true],
      ['2026-03-02T14:00:00.000Z', '2026-03-03T06:00:00.000Z', 'a', 'layer-1', false],
      ['2026-03-03T06:00:00.000Z', '2026-03-03T12:00:00.000Z', 'y', 'layer-1', true],
      ['2026-03-03T12:00:00.000Z', '2026-03-04T06:00:00.000Z', 'b', 'layer-1', false],
    ]);
    expect(onCallAt(two, overrides, new Date('2026-03-02T13:00:00Z'))).toEqual(['x']);
    expect(onCallAt(two, overrides, new Date('2026-03-03T07:00:00Z'))).toEqual(['y']);
    expect(onCallAt(two, overrides, new Date('2026-03-01T07:00:00Z'))).toEqual([]); // before the rotation
  });

  it('runs custom rotations in wall-clock steps: 12 h shifts stay at 09:00 and 21:00 across DST', () => {
    const halves = layer({ type: 'custom', shiftLength: '12h', participants: ['a', 'b'] });
    const shifts = finalShifts(
      schedule('America/New_York', halves),
      [],
      new Date('2026-03-06T14:00:00Z'),
      new Date('2026-03-10T14:00:00Z'),
    );
    expect(shifts.map((s) => local(s.start.getTime(), 'America/New_York').slice(11))).toEqual([
      '09:00',
      '21:00',
      '09:00',
      '21:00',
      '09:00',
      '21:00',
      '09:00',
      '21:00',
      '09:00',
    ]);
  });
});

// Properties over the four zones: random rotations, random ranges through 2026 (DST changes included).
const zoneArb = fc.constantFrom(...ZONES);
const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const rotationArb = fc.record({
  type: fc.constantFrom('daily', 'weekly', 'custom') as fc.Arbitrary<Rotation['type']>,
  hours: fc.integer({ min: 2, max: 96 }),
  handoff: hhmm,
  handoffDay: fc.constantFrom(...WEEKDAYS),
  startDay: fc.integer({ min: 0, max: 200 }),
  n: fc.integer({ min: 2, max: 5 }),
});
type Gen<A> = A extends fc.Arbitrary<infer T> ? T : never;
const rangeArb = fc.record({
  offsetH: fc.integer({ min: 0, max: 24 * 300 }),
  lengthH: fc.integer({ min: 1, max: 24 * 90 }),
});

function rotationFrom(r: Gen<typeof rotationArb>): Rotation {
  const start = new Date(Date.UTC(2026, 0, 1) + r.startDay * DAY).toISOString().slice(0, 10);
  return layer({
    type: r.type,
    handoff: r.handoff,
    start,
    participants: Array.from({ length: r.n }, (_, i) => `p${i}`),
    ...(r.type === 'custom' ? { shiftLength: `${r.hours}h` } : {}),
    ...(r.type === 'weekly' ? { handoffDay: r.handoffDay } : {}),
  });
}

/** A range that starts after the rotation's first handoff (a week after its start date). */
function rangeFor(rot: Rotation, g: Gen<typeof rangeArb>): [Date, Date] {
  const from = Date.parse(`${rot.start}T00:00:00Z`) + 8 * DAY + g.offsetH * HOUR;
  return [new Date(from), new Date(from + g.lengthH * HOUR)];
}

describe('finalShifts properties', () => {
  it('covers [from, to) exactly for a 24/7 rotation: contiguous, no gaps, no overlaps', () => {
    fc.assert(
      fc.property(zoneArb, rotationArb, rangeArb, (zone, r, g) => {
        const rot = rotationFrom(r);
        const [from, to] = rangeFor(rot, g);
        const shifts = finalShifts(schedule(zone, rot), [], from, to);
        expect(shifts[0]?.start).toEqual(from);
        expect(shifts.at(-1)?.end).toEqual(to);
        for (const [i, s] of shifts.entries()) {
          expect(s.end.getTime()).toBeGreaterThan(s.start.getTime());
          if (i > 0) expect(s.start).toEqual(shifts[i - 1]?.end);
        }
      }),
      { numRuns: 100 }, // fast-check's default; each run checks every shift of a range of up to 90 days
    );
  });

  it('hands over to each participant in order', () => {
    fc.assert(
      fc.property(zoneArb, rotationArb, rangeArb, (zone, r, g) => {
        const rot = rotationFrom(r);
        const [from, to] = rangeFor(rot, g);
        const shifts = finalShifts(schedule(zone, rot), [], from, to);
        const order = shifts.map((s) => rot.participants.indexOf(s.users[0] ?? ''));
        for (let i = 1; i < order.length; i++)
          expect(order[i]).toBe(((order[i - 1] ?? 0) + 1) % rot.participants.length);
      }),
      { numRuns: 100 }, // fast-check's default; each run checks every shift of a range of up to 90 days
    );
  });

  it('keeps the local handoff time (or the DST jump when it does not exist) and the weekly handoff day', () => {
    fc.assert(
      fc.property(zoneArb, rotationArb, rangeArb, (zone, r, g) => {
        const rot = rotationFrom({ ...r, type: r.type === 'custom' ? 'daily' : r.type });
        const [from, to] = rangeFor(rot, g);
        for (const s of finalShifts(schedule(zone, rot), [], from, to).slice(1)) {
          const at = DateTime.fromJSDate(s.start, { zone });
          const before = DateTime.fromMillis(s.start.getTime() - 1, { zone });
          const jumped =
            before.offset !== at.offset &&
            before.toFormat('HH:mm') < rot.handoff &&
            at.toFormat('HH:mm') > rot.handoff;
          if (!jumped) expect(at.toFormat('HH:mm')).toBe(rot.handoff);
          if (rot.type === 'weekly') expect(at.toFormat('ccc').toLowerCase()).toBe(rot.handoffDay);
        }
      }),
      { numRuns: 100 }, // fast-check's default; each run checks every shift of a range of up to 90 days
    );
  });

  it('never overlaps, stays inside restrictions, and agrees with onCallAt, with overrides and layers', () => {
    const restrictionArb = fc
      .record({
        days: fc.subarray([...WEEKDAYS], { minLength: 1 }),
        start: hhmm,
        end: hhmm,
      })
      .filter((x) => x.start !== x.end);
    const overrideArb = fc.record({
      startH: fc.integer({ min: 0, max: 24 * 30 }),
      lengthH: fc.integer({ min: 1, max: 72 }),
      user: fc.constantFrom('p0', 'p1', 'x'),
      replaces: fc.option(fc.constantFrom('p0', 'p1', 'p2'), { nil: null }),
    });
    fc.assert(
      fc.property(
        zoneArb,
        rotationArb,
        rotationArb,
        fc.array(restrictionArb, { maxLength: 3 }),
        fc.array(overrideArb, { maxLength: 4 }),
        rangeArb,
        (zone, r1, r2, restrictions, ovs, g) => {
          const top = { ...rotationFrom(r1), name: 'top', restrictions };
          const base = { ...rotationFrom(r2), name: 'base', startDay: r1.startDay, start: top.start };
          const [from, to] = rangeFor(top, { ...g, lengthH: Math.min(g.lengthH, 24 * 30) });
          const overrides: OverrideSpan[] = ovs.map((o) => ({
            start: new Date(from.getTime() + o.startH * HOUR),
            end: new Date(from.getTime() + (o.startH + o.lengthH) * HOUR),
            user: o.user,
            replaces: o.replaces,
          }));
          const spec = schedule(zone, top, base);
          const shifts = finalShifts(spec, overrides, from, to);
          for (const [i, s] of shifts.entries()) {
            if (i > 0) expect(s.start.getTime()).toBeGreaterThanOrEqual(shifts[i - 1]?.end.getTime() ?? 0);
            expect(onCallAt(spec, overrides, s.start)).toEqual(s.users);
            expect(onCallAt(spec, overrides, new Date(s.end.getTime() - 1))).toEqual(s.users);
            if (s.layer === 'top') {
              // Inside a restriction window: the local reading of its first minute is in one of them.
              const at = DateTime.fromJSDate(s.start, { zone });
              const minute = at.hour * 60 + at.minute;
              const inside = restrictions.some((x) => {
                const [sh, sm] = x.start.split(':').map(Number);
                const [eh, em] = x.end.split(':').map(Number);
                const a = (sh ?? 0) * 60 + (sm ?? 0);
                const b = (eh ?? 0) * 60 + (em ?? 0);
                const day = (d: DateTime) => d.toFormat('ccc').toLowerCase() as (typeof WEEKDAYS)[number];
                if (b > a) return x.days.includes(day(at)) && minute >= a && minute < b;
                return (
                  (x.days.includes(day(at)) && minute >= a) ||
                  (x.days.includes(day(at.minus({ days: 1 }))) && minute < b)
                );
              });
              // A window starting in a skipped hour begins at the jump; allow that reading too.
              const before = DateTime.fromMillis(s.start.getTime() - 1, { zone });
              expect(inside || restrictions.length === 0 || before.offset !== at.offset).toBe(true);
            }
          }
          // Where no override is active, the base layer's 24/7 coverage leaves no gap.
          if (overrides.length === 0) {
            expect(shifts[0]?.start).toEqual(from);
            expect(shifts.at(-1)?.end).toEqual(to);
            for (let i = 1; i < shifts.length; i++) expect(shifts[i]?.start).toEqual(shifts[i - 1]?.end);
          }
        },
      ),
      // Each run checks every shift of up to 30 days (often hundreds), each against onCallAt twice.
      { numRuns: 60 },
    );
  });
});

describe('shiftAt', () => {
  it('finds the whole shift holding an instant, widening the search for long shifts', () => {
    const weekly = schedule('Europe/London', layer({ type: 'weekly', handoffDay: 'mon' }));
    const s = shiftAt(weekly, [], new Date('2026-03-04T12:00:00Z'));
    expect(s && iso(s)).toEqual(['2026-03-02T09:00:00.000Z', '2026-03-09T09:00:00.000Z', 'a']);
    const daily = shiftAt(schedule('Europe/London'), [], new Date('2026-03-29T07:00:00Z'));
    expect(daily && iso(daily)).toEqual(['2026-03-28T09:00:00.000Z', '2026-03-29T08:00:00.000Z', 'a']);
    expect(shiftAt(schedule('Europe/London'), [], new Date('2026-02-01T00:00:00Z'))).toBeUndefined();
  });
});

describe('layerShifts', () => {
  it("gives each layer's own coverage, restrictions applied, before the layers stack", () => {
    const spec = schedule(
      'Europe/Berlin',
      layer({
        name: 'working-hours',
        handoff: '08:00',
        participants: ['h'],
        restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' }],
      }),
      layer({
        name: 'nights',
        type: 'weekly',
        handoffDay: 'mon',
        handoff: '08:00',
        participants: ['j', 'k'],
      }),
    );
    // Fri 27 Mar 2026 to Mon 30 Mar 2026: Berlin moves to summer time on Sunday the 29th.
    const from = new Date('2026-03-27T00:00:00+01:00');
    const to = new Date('2026-03-31T00:00:00+02:00');
    const [work, nights] = layerShifts(spec, from, to);
    expect(work?.name).toBe('working-hours');
    expect(
      work?.shifts.map((s) => [
        local(s.start.getTime(), 'Europe/Berlin'),
        local(s.end.getTime(), 'Europe/Berlin'),
        s.user,
      ]),
    ).toEqual([
      ['2026-03-27 08:00', '2026-03-27 18:00', 'h'],
      ['2026-03-30 08:00', '2026-03-30 18:00', 'h'],
    ]);
    // The weekly layer covers the whole range, hours the first layer also covers included.
    expect(nights?.shifts[0]?.start.getTime()).toBe(from.getTime());
    expect(nights?.shifts.at(-1)?.end.getTime()).toBe(to.getTime());
    expect(nights?.shifts.map((s) => local(s.start.getTime(), 'Europe/Berlin'))).toContain(
      '2026-03-30 08:00',
    );
    // The final shifts give the working hours to the first layer.
    const final = finalShifts(spec, [], from, to);
    expect(final.find((s) => s.layer === 'working-hours')?.users).toEqual(['h']);
  });
});
