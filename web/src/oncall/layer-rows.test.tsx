import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { dayStarts } from './days';
import { LayerRows, placeBars } from './layer-rows';

afterEach(cleanup);

describe('placeBars', () => {
  it('places bars as fractions of the range, clipped to it, leaving out those outside', () => {
    const from = new Date('2026-03-27T00:00:00Z');
    const to = new Date('2026-03-29T00:00:00Z');
    const placed = placeBars(
      [
        { start: '2026-03-26T12:00:00Z', end: '2026-03-27T12:00:00Z', who: 'a' },
        { start: '2026-03-28T00:00:00Z', end: '2026-03-30T00:00:00Z', who: 'b' },
        { start: '2026-03-30T00:00:00Z', end: '2026-03-31T00:00:00Z', who: 'c' },
      ],
      from,
      to,
    );
    expect(placed.map((b) => [b.who, b.left, b.width])).toEqual([
      ['a', 0, 0.25],
      ['b', 0.5, 0.5],
    ]);
  });
});

describe('LayerRows', () => {
  it("draws a row per layer with times in the viewer's zone and the schedule's beside them, across DST", () => {
    // New York is already on summer time; Berlin moves on Sunday 29 March 2026.
    const zone = 'America/New_York';
    const days = dayStarts(new Date('2026-03-27T12:00:00Z'), zone, 4);
    const from = days[0] as Date;
    const to = new Date((days[3] as Date).getTime() + 86_400_000);
    render(
      <LayerRows
        rows={[
          {
            label: 'Layer working-hours',
            bars: [
              { start: '2026-03-27T07:00:00Z', end: '2026-03-27T17:00:00Z', who: 'hanna' },
              { start: '2026-03-30T06:00:00Z', end: '2026-03-30T16:00:00Z', who: 'hanna' },
            ],
          },
          { label: 'Overrides', bars: [] },
        ]}
        from={from}
        to={to}
        zone={zone}
        scheduleZone="Europe/Berlin"
        viewerMarks={days}
        scheduleMarks={dayStarts(from, 'Europe/Berlin', 5)}
        label="Layers and overrides of sre"
      />,
    );
    const row = screen.getByRole('listitem', { name: 'Layer working-hours' });
    const bars = within(row)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    // 08:00 in Berlin is 03:00 in New York before Berlin's change and 02:00 after it.
    expect(bars[0]).toMatch(/^hanna .*27.*03:00.* → .*\(08:00–18:00 Europe\/Berlin\)$/);
    expect(bars[1]).toMatch(/^hanna .*30.*02:00.* → .*\(08:00–18:00 Europe\/Berlin\)$/);
    expect(within(screen.getByRole('listitem', { name: 'Overrides' })).getByText('nobody')).toBeTruthy();
  });
});
