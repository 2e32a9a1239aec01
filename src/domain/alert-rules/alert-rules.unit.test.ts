import { describe, expect, it } from 'vitest';
import type { AlertFacts } from '../maintenance/maintenance.ts';
import type { Plan } from '../plans/plan.ts';
import { serviceRulesSchema } from '../services/services.ts';
import {
  absorbs,
  belowThreshold,
  declareInputFor,
  graceMs,
  planSeverityFor,
  rulesOf,
} from './alert-rules.ts';

const rules = (r: Record<string, unknown> = {}) => serviceRulesSchema.parse(r);
const plan = (ids: string[], extra: Partial<Plan> = {}) =>
  ({ severities: ids.map((id) => ({ id })), ...extra }) as unknown as Plan;
const facts = (labels: Record<string, string> = {}, extra: Partial<AlertFacts> = {}): AlertFacts => ({
  labels,
  service: 'payments',
  severity: 'critical',
  source: 'db-1',
  component: null,
  alert_group: null,
  alert_class: null,
  dedup_key: 'k',
  summary: 'Disk full',
  ...extra,
});
const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 9, minute));

describe('rules', () => {
  it('accept a partial severity map and add the new rules’ defaults', () => {
    expect(rules({ severity: { critical: 'P1' } })).toMatchObject({
      severity: { critical: 'P1' },
      declare: 'error',
      correlationLabel: 'correlation_id',
      resolveIncidentWithAlerts: false,
    });
    expect(rulesOf({ declare: 'loud' }).problem).toMatch(/rules\.declare/);
    expect(rulesOf(null).rules.declare).toBe('error');
  });

  it('compare severities against the threshold', () => {
    expect(belowThreshold('warning', 'error')).toBe(true);
    expect(belowThreshold('critical', 'error')).toBe(false);
    expect(belowThreshold('error', 'error')).toBe(false);
    expect(belowThreshold('info', 'info')).toBe(false);
  });

  it('take the grace from the service, else from the plan’s automated recovery', () => {
    const healing = plan(['P1'], {
      automatedRecovery: { enabled: true, waitFor: '10m', onSuccess: 'monitor' },
    });
    expect(graceMs(rules({ grace: '90s' }), healing)).toBe(90_000);
    expect(graceMs(rules(), healing)).toBe(600_000);
    expect(graceMs(rules(), plan(['P1']))).toBe(0);
    expect(graceMs(rules(), undefined)).toBe(0);
    const disabled = plan(['P1'], {
      automatedRecovery: { enabled: false, waitFor: '10m', onSuccess: 'monitor' },
    });
    expect(graceMs(rules(), disabled)).toBe(0);
  });
});

describe('plan severity', () => {
  const four = plan(['P1', 'P2', 'P3', 'P4']);
  it('maps by position by default', () => {
    const of = (severity: string, p = four) => planSeverityFor(facts({}, { severity }), rules(), p).severity;
    expect(['critical', 'error', 'warning', 'info'].map((s) => of(s))).toEqual(['P1', 'P2', 'P3', 'P4']);
    const five = plan(['A', 'B', 'C', 'D', 'E']);
    expect(['critical', 'error', 'warning', 'info'].map((s) => of(s, five))).toEqual(['A', 'B', 'C', 'E']);
    const one = plan(['ONLY']);
    expect(['critical', 'info'].map((s) => of(s, one))).toEqual(['ONLY', 'ONLY']);
  });

  it('prefers the label, then the map, and notes names the plan lacks', () => {
    const r = rules({ severityLabel: 'sev', severity: { critical: 'P3', error: 'P9' } });
    expect(planSeverityFor(facts({ sev: 'P2' }), r, four)).toEqual({
      severity: 'P2',
      by: 'label',
      notes: [],
    });
    expect(planSeverityFor(facts({}), r, four)).toEqual({ severity: 'P3', by: 'map', notes: [] });
    const fallback = planSeverityFor(facts({ sev: 'X' }, { severity: 'error' }), r, four);
    expect(fallback.severity).toBe('P2');
    expect(fallback.by).toBe('default');
    expect(fallback.notes).toHaveLength(2);
  });
});

describe('the incident an alert declares', () => {
  const alert = (extra: Partial<AlertFacts & { started_at: Date | null }> = {}) => ({
    ...facts({ env: 'prod', correlation_id: 'trace-1' }),
    id: '5',
    started_at: at(1),
    first_seen_at: at(3),
    ...extra,
  });

  it('takes title, labels, correlation id and detection time from the alert', () => {
    const { input, notes } = declareInputFor(alert(), rules(), { name: 'ops', severity: 'P1' }, at(5));
    expect(input).toEqual({
      title: 'Disk full',
      plan: 'ops',
      severity: 'P1',
      service: 'payments',
      labels: { correlation_id: 'trace-1', env: 'prod' },
      correlation_id: 'trace-1',
      detected_at: at(1).toISOString(),
    });
    expect(notes).toEqual([]);
  });

  it('keeps what the incident rules refuse out, and says so', () => {
    const { input, notes } = declareInputFor(
      alert({
        summary: `${'é'.repeat(199)}😀😀`,
        labels: { __name__: 'up', ok: 'x'.repeat(600), correlation_id: 'has space' },
        started_at: at(9),
      }),
      rules(),
      { name: 'ops', severity: 'P1' },
      at(5),
    );
    expect(Array.from(input.title)).toHaveLength(200);
    expect(input.title.endsWith('😀')).toBe(true);
    expect(input.labels).toEqual({ correlation_id: 'has space', ok: 'x'.repeat(500) });
    expect(input.correlation_id).toBeUndefined();
    expect(input.detected_at).toBe(at(5).toISOString());
    expect(notes.join(' ')).toMatch(/__name__/);
    expect(notes.join(' ')).toMatch(/correlation id/);
  });

  it('falls back to the dedup key for an empty summary, and to first sight without a start', () => {
    const { input } = declareInputFor(
      alert({ summary: '  ', started_at: null }),
      rules(),
      { name: 'ops', severity: 'P1' },
      at(5),
    );
    expect(input.title).toBe('k');
    expect(input.detected_at).toBe(at(3).toISOString());
  });
});

describe('grouping', () => {
  const incoming = { ...facts({ cluster: 'a' }), first_seen_at: at(20) };
  const declaredBy = (labels: Record<string, string>, minute: number) => ({
    id: '1',
    declared_at: at(minute),
    trigger: facts(labels),
  });

  it('joins nothing without a rule', () => {
    expect(absorbs(declaredBy({ cluster: 'a' }, 19), incoming, rules())).toBe(false);
  });

  it('joins incidents declared within the window before the alert, or after it', () => {
    const r = rules({ groupWindow: '10m' });
    expect(absorbs(declaredBy({}, 10), incoming, r)).toBe(true);
    expect(absorbs(declaredBy({}, 9), incoming, r)).toBe(false);
    expect(absorbs(declaredBy({}, 30), incoming, r)).toBe(true);
    expect(absorbs({ id: '2', declared_at: at(15), trigger: null }, incoming, r)).toBe(true);
  });

  it('joins by equal label values, missing equal to missing, and with both rules needs both', () => {
    const r = rules({ groupBy: ['cluster', 'team'] });
    expect(absorbs(declaredBy({ cluster: 'a' }, 0), incoming, r)).toBe(true);
    expect(absorbs(declaredBy({ cluster: 'a', team: 'x' }, 0), incoming, r)).toBe(false);
    expect(absorbs({ id: '2', declared_at: at(15), trigger: null }, incoming, r)).toBe(false);
    const both = rules({ groupBy: ['cluster'], groupWindow: '5m' });
    expect(absorbs(declaredBy({ cluster: 'a' }, 16), incoming, both)).toBe(true);
    expect(absorbs(declaredBy({ cluster: 'a' }, 14), incoming, both)).toBe(false);
  });
});
