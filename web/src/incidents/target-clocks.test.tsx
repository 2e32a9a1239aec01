import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TargetClock } from '../api/models';
import { clockTone, TargetClocks } from './target-clocks';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const now = Date.parse('2026-12-03T10:00:00Z');
const clock = (dueInMs: number, extra: Partial<TargetClock> = {}): TargetClock => ({
  target: 'acknowledge',
  duration_ms: 300_000,
  due_at: new Date(now + dueInMs).toISOString(),
  met_at: null,
  status: 'pending',
  ...extra,
});

describe('target clocks', () => {
  it('are amber in the last fifth (at least the last minute), red once due, green when met', () => {
    expect(clockTone(clock(200_000), now)).toBe('ok');
    expect(clockTone(clock(59_000), now)).toBe('near');
    expect(clockTone(clock(-1), now)).toBe('breached');
    expect(clockTone(clock(-1, { met_at: new Date(now).toISOString() }), now)).toBe('met');
    expect(clockTone(clock(2_700_000, { duration_ms: 4 * 3_600_000 }), now)).toBe('near');
    expect(clockTone(clock(3_000_000, { duration_ms: 4 * 3_600_000 }), now)).toBe('ok');
  });

  it('name each target and count down', () => {
    // The clock the component reads is the test's, not the wall's.
    vi.useFakeTimers({ now });
    render(
      <TargetClocks targets={[clock(3_600_000 * 2, { target: 'resolve', duration_ms: 4 * 3_600_000 })]} />,
    );
    const item = screen.getByText('Resolve').closest('li');
    expect(item?.textContent).toMatch(/due in \d h \d\d min/);
  });
});
