import { describe, expect, it } from 'vitest';
import { describeEvent } from './describe-event.ts';

// Day one (issue 9, item 6): the timeline reads as sentences, not raw JSON.

describe('describeEvent', () => {
  it('says which alert opened or joined the incident', () => {
    expect(
      describeEvent('incident.alert_attached', {
        how: 'declared',
        summary: 'DB down',
        source: 'db-1',
        severity: 'critical',
        dedup_key: 'db-down',
      }),
    ).toBe('alert "DB down" from db-1 (critical, key db-down) opened the incident');
  });

  it('says who could not be reached and who was paged already', () => {
    expect(
      describeEvent('paging.step', {
        users: ['ana'],
        source: 'severity',
        step: 1,
        round: 1,
        unreachable: ['ben'],
        empty: ['customers'],
      }),
    ).toBe(
      'paged ana (severity, step 1, round 1); nobody in customers; no contact method for ben (their Tocsin inbox only)',
    );
  });

  it('counts the alerts resolved with the incident; an unknown kind is words, not JSON', () => {
    expect(describeEvent('incident.resolved', { resolution: 'rolled back', alerts_resolved: 2 })).toBe(
      'resolved (and 2 alerts with it): rolled back',
    );
    expect(describeEvent('something.new', { some_field: 'x', count: 2 })).toBe('some field x, count 2');
  });

  it('says what a verification measured and where a breach sent the incident', () => {
    expect(
      describeEvent('verification.failed', {
        reason: 'Error rate = 0.4 % (must be below 0.1 %)',
        returned_to: 'identified',
      }),
    ).toBe('verification failed: Error rate = 0.4 % (must be below 0.1 %) (back to identified)');
    expect(
      describeEvent('verification.started', {
        checks: ['Error rate', 'Latency'],
        monitor_for: '30m',
        every: '1m',
      }),
    ).toBe('verifying: Error rate, Latency must hold for 30m (checked every 1m)');
  });
});
