import { describe, expect, it } from 'vitest';
import {
  fallbackOrder,
  impactOfSeverity,
  maintenanceStatusAt,
  negotiateLanguage,
  overallIndicator,
  pickText,
  uptimeOf,
} from './status-page.ts';

const at = (iso: string) => new Date(iso);

describe('the overall indicator', () => {
  it('is the worst of components and unresolved incidents', () => {
    expect(overallIndicator(['operational', 'operational'], [])).toBe('none');
    expect(overallIndicator(['operational', 'degraded_performance'], [])).toBe('minor');
    expect(overallIndicator(['partial_outage', 'degraded_performance'], [])).toBe('major');
    expect(overallIndicator(['major_outage'], ['minor'])).toBe('critical');
    expect(overallIndicator(['operational'], ['major'])).toBe('major');
  });
  it('shows maintenance only when nothing is broken', () => {
    expect(overallIndicator(['under_maintenance', 'operational'], [])).toBe('maintenance');
    expect(overallIndicator(['under_maintenance', 'degraded_performance'], [])).toBe('minor');
  });
});

it('an incident’s impact follows its severity’s rank in the plan', () => {
  const plan = { severities: [{ id: 'SEV1' }, { id: 'SEV2' }, { id: 'SEV3' }, { id: 'SEV4' }] } as never;
  expect(impactOfSeverity(plan, 'SEV1')).toBe('critical');
  expect(impactOfSeverity(plan, 'SEV2')).toBe('major');
  expect(impactOfSeverity(plan, 'SEV3')).toBe('minor');
  expect(impactOfSeverity(plan, 'SEV4')).toBe('none');
  expect(impactOfSeverity(plan, 'nope')).toBe('none');
});

describe('maintenance on the clock', () => {
  const m = {
    status: 'scheduled' as const,
    scheduled_for: at('2026-03-02T10:00:00Z'),
    scheduled_until: at('2026-03-02T12:00:00Z'),
    auto_start: true,
    auto_complete: true,
  };
  it('starts and completes by itself when automatic', () => {
    expect(maintenanceStatusAt(m, at('2026-03-02T09:59:00Z'))).toBe('scheduled');
    expect(maintenanceStatusAt(m, at('2026-03-02T10:00:00Z'))).toBe('in_progress');
    expect(maintenanceStatusAt(m, at('2026-03-02T12:00:00Z'))).toBe('completed');
  });
  it('stays where people put it otherwise', () => {
    const manual = { ...m, auto_start: false, auto_complete: false };
    expect(maintenanceStatusAt(manual, at('2026-03-02T13:00:00Z'))).toBe('scheduled');
    expect(maintenanceStatusAt({ ...m, status: 'verifying' }, at('2026-03-02T13:00:00Z'))).toBe('verifying');
  });
});

describe('uptime', () => {
  const now = at('2026-03-10T12:00:00Z');
  const since = at('2025-01-01T00:00:00Z');
  it('is 100 % with no outage, and weighs a partial outage at 30 % of a major one', () => {
    expect(uptimeOf('operational', [], since, now).percent).toBe(100);
    const major = uptimeOf(
      'operational',
      [
        { status: 'major_outage', at: at('2026-03-09T00:00:00Z') },
        { status: 'operational', at: at('2026-03-09T01:00:00Z') },
      ],
      since,
      now,
    );
    const partial = uptimeOf(
      'operational',
      [
        { status: 'partial_outage', at: at('2026-03-09T00:00:00Z') },
        { status: 'operational', at: at('2026-03-09T01:00:00Z') },
      ],
      since,
      now,
    );
    expect(major.days).toHaveLength(90);
    const day = major.days.find((d) => d.date === '2026-03-09');
    expect(day).toMatchObject({ worst: 'major_outage', downtime: 3600 });
    expect(partial.days.find((d) => d.date === '2026-03-09')).toMatchObject({
      worst: 'partial_outage',
      downtime: 1080,
    });
    expect(major.percent).toBeLessThan(partial.percent);
    expect(major.percent).toBeCloseTo(100 * (1 - 3600 / (89.5 * 86_400)), 2);
  });
  it('counts an outage still going on up to now, and nothing before the component existed', () => {
    const u = uptimeOf('major_outage', [], at('2026-03-10T00:00:00Z'), now);
    expect(u.percent).toBe(0);
    expect(u.days.at(-1)?.worst).toBe('major_outage');
    expect(u.days.at(-2)?.worst).toBe('operational');
  });
});

describe('languages', () => {
  it('takes ?lang=, then Accept-Language, then the page’s first language', () => {
    expect(negotiateLanguage(['en', 'am'], 'am', 'en')).toBe('am');
    expect(negotiateLanguage(['en', 'am'], 'fr', undefined)).toBe('en');
    expect(negotiateLanguage(['en', 'am'], undefined, 'fr;q=0.9, am-ET;q=0.8, en;q=0.1')).toBe('am');
    expect(negotiateLanguage(['en', 'am'], undefined, 'de, *;q=0.1')).toBe('en');
  });
  it('falls back along the page’s order when a text is missing', () => {
    expect(pickText({ en: 'Down', am: 'ተቋርጧል' }, fallbackOrder('am', ['en', 'am']))).toBe('ተቋርጧል');
    expect(pickText({ en: 'Down' }, fallbackOrder('am', ['en', 'am']))).toBe('Down');
    expect(pickText({ tr: 'Kesinti' }, fallbackOrder('am', ['en', 'am']))).toBe('Kesinti');
  });
});
