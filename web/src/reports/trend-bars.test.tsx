import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { BarChart } from './bar-chart';
import { complianceBars, frequencyBars, rootCauseBars } from './reports-page';

// The reports page's new charts (issue 15 §11): frequency, compliance, root causes, from the API's
// answers as they come over the wire.

afterEach(cleanup);

describe('report charts', () => {
  it('draws incidents per week, empty weeks as 0', () => {
    const bars = frequencyBars([
      {
        start: '2026-03-02T00:00:00.000Z',
        end: '2026-03-09T00:00:00.000Z',
        incidents: 2,
        by_severity: { P0: 2 },
      },
      { start: '2026-03-09T00:00:00.000Z', end: '2026-03-16T00:00:00.000Z', incidents: 0, by_severity: {} },
    ]);
    expect(bars).toEqual([
      { label: '2026-03-02', value: 2 },
      { label: '2026-03-09', value: 0 },
    ]);
    render(<BarChart title="Incidents per week" bars={bars} format={String} />);
    expect(screen.getByRole('img', { name: 'Incidents per week' })).toBeTruthy();
    expect(screen.getByTestId('bar-2026-03-09').textContent).toContain('0');
  });

  it('takes each target’s rate over every severity, and lists the uncategorised incidents', () => {
    expect(
      complianceBars([
        { target: 'acknowledge', severity: 'P0', met: 1, breached: 1, pending: 0, rate: 0.5 },
        { target: 'acknowledge', severity: null, met: 3, breached: 2, pending: 1, rate: 0.6 },
        { target: 'resolve', severity: null, met: 0, breached: 0, pending: 2, rate: null },
      ]),
    ).toEqual([
      { label: 'acknowledge', value: 60 },
      { label: 'resolve', value: null },
    ]);
    expect(
      rootCauseBars({
        categories: [
          { category: 'deployment', incidents: 2 },
          { category: 'capacity', incidents: 0 },
        ],
        uncategorised: 1,
        without_postmortem: 4,
      }),
    ).toEqual([
      { label: 'deployment', value: 2 },
      { label: 'capacity', value: 0 },
      { label: '(uncategorised)', value: 1 },
    ]);
    expect(rootCauseBars(undefined)).toEqual([]);
  });
});
