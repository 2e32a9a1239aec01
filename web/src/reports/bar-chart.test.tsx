import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { GoalRow, MetricsRow } from '../api/models';
import { BarChart } from './bar-chart';
import { severityBars } from './reports-page';

afterEach(cleanup);

const stats = (mean: number | null) => ({
  count: mean === null ? 0 : 1,
  mean_ms: mean,
  median_ms: mean,
  p90_ms: mean,
});
const row = (group_by: MetricsRow['group_by'], group: string | null, mttr: number | null): MetricsRow => ({
  group_by,
  group,
  incidents: 1,
  resolved: 1,
  mttd: stats(null),
  mtta: stats(60_000),
  mttr: stats(mttr),
});

describe('reports chart', () => {
  it('takes one bar per severity, with the per-severity goal (else the overall one) as its limit', () => {
    const goals: GoalRow[] = [
      { goal: 'mttr', severity: 'P0', description: '', target: 1_800_000, actual: null, met: null },
      { goal: 'mttr', severity: null, description: '', target: 3_600_000, actual: null, met: null },
    ];
    const bars = severityBars(
      [row('all', null, 5), row('severity', 'P0', 2_400_000), row('severity', 'P1', null)],
      goals,
      'mttr',
    );
    expect(bars).toEqual([
      { label: 'P0', value: 2_400_000, limit: 1_800_000 },
      { label: 'P1', value: null, limit: 3_600_000 },
    ]);
  });

  it('draws bars to scale, marks those over their goal, and says "no data" for empty ones', () => {
    render(
      <BarChart
        title="Mean time to resolve"
        bars={[
          { label: 'P0', value: 40, limit: 30 },
          { label: 'P1', value: 20 },
          { label: 'P2', value: null },
        ]}
        format={(v) => `${v} min`}
      />,
    );
    expect(screen.getByRole('img', { name: 'Mean time to resolve' })).toBeTruthy();
    const p0 = screen.getByTestId('bar-P0');
    const p1 = screen.getByTestId('bar-P1');
    expect(p0.querySelector('rect')?.getAttribute('class')).toBe('chart-bar over');
    expect(p1.querySelector('rect')?.getAttribute('class')).toBe('chart-bar');
    // P1's value is half of P0's: its bar is half as long.
    const width = (g: HTMLElement) => Number(g.querySelector('rect')?.getAttribute('width'));
    expect(width(p1) * 2).toBeCloseTo(width(p0), 5);
    expect(p0.textContent).toContain('40 min (goal 30 min)');
    expect(screen.getByTestId('bar-P2').querySelector('rect')).toBeNull();
    expect(screen.getByTestId('bar-P2').textContent).toContain('no data');
  });
});
