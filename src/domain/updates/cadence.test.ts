import { describe, expect, it } from 'vitest';
import { loadPlan, type Plan } from '../plans/plan.ts';
import { evaluate } from '../workflows/evaluate.ts';
import type { IncidentSnapshot } from '../workflows/snapshot.ts';
import { type CadenceFacts, cadenceDue, describeCadence } from './cadence.ts';

// The one cadence rule: by age (the interval in force when the update falls due) and by state.
const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: cadence }
severities:
  - id: SEV1
    title: Critical
    cadence:
      internal: 30m
      external: 1h
      byAge: [{ after: 2h, internal: 1h }, { after: 8h, external: none }]
      byState: { monitoring: { internal: none }, identified: { external: 15m } }
lifecycle:
  states: [{ id: investigating }, { id: identified }, { id: monitoring }, { id: resolved }]
`;

function plan(): Plan {
  const loaded = loadPlan(PLAN, 'cadence.yaml');
  if (!loaded.plan) throw new Error(JSON.stringify(loaded.errors));
  return loaded.plan;
}

const T0 = new Date('2026-03-02T10:00:00Z');
const min = (n: number) => new Date(T0.getTime() + n * 60_000);

function facts(over: Partial<CadenceFacts> & { internal?: number; external?: number } = {}): CadenceFacts {
  const { internal, external, ...rest } = over;
  return {
    severity: 'SEV1',
    declared_at: T0,
    state: 'investigating',
    state_entered_at: T0,
    last_update_at: {
      internal: internal === undefined ? null : min(internal),
      external: external === undefined ? null : min(external),
    },
    ...rest,
  };
}

const dueMin = (f: CadenceFacts, audience: 'internal' | 'external') => {
  const c = cadenceDue(plan(), f, audience);
  return c ? [(c.due.getTime() - T0.getTime()) / 60_000, c.every / 60_000] : null;
};

describe('cadence by age', () => {
  it('every 30 minutes for the first 2 hours, hourly after', () => {
    expect(dueMin(facts(), 'internal')).toEqual([30, 30]);
    expect(dueMin(facts({ internal: 80 }), 'internal')).toEqual([110, 30]);
    // An update at 1h50m: 30 minutes later is past 2h, where the hourly cadence asks for 2h50m.
    expect(dueMin(facts({ internal: 110 }), 'internal')).toEqual([170, 60]);
    expect(dueMin(facts({ internal: 200 }), 'internal')).toEqual([260, 60]);
  });

  it('none from an age on: nothing is due once it starts', () => {
    expect(dueMin(facts({ external: 400 }), 'external')).toEqual([460, 60]);
    expect(dueMin(facts({ external: 450 }), 'external')).toBeNull();
  });
});

describe('cadence by state', () => {
  it('none while monitoring; a state of its own counts from entering it', () => {
    expect(
      dueMin(facts({ state: 'monitoring', state_entered_at: min(40), internal: 20 }), 'internal'),
    ).toBeNull();
    expect(
      dueMin(facts({ state: 'identified', state_entered_at: min(40), external: 20 }), 'external'),
    ).toEqual([55, 15]);
    // The state's own cadence replaces only the audience it names.
    expect(
      dueMin(facts({ state: 'identified', state_entered_at: min(40), internal: 20 }), 'internal'),
    ).toEqual([50, 30]);
  });

  it('nothing is due once resolved', () => {
    expect(dueMin(facts({ resolved_at: min(10) }), 'internal')).toBeNull();
  });

  it('describes itself for the rules and drills', () => {
    const sev = plan().severities[0] as Plan['severities'][number];
    expect(describeCadence(sev.cadence, 'internal')).toBe('30m, 1h after 2h, none in monitoring');
    expect(describeCadence(sev.cadence, 'external')).toBe('1h, none after 8h, 15m in identified');
  });
});

describe('overdue marks follow the cadence in force', () => {
  const p = plan();
  const snap = (over: Partial<IncidentSnapshot>): IncidentSnapshot => ({
    id: '1',
    title: 'Checkout failing',
    slug: 'checkout-failing',
    summary: '',
    impact: '',
    service: null,
    customer_facing: false,
    labels: {},
    fields: {},
    plan_name: 'cadence',
    plan_version: 1,
    severity: 'SEV1',
    state: 'investigating',
    correlation_id: 'c1',
    channel_name: 'incident-1',
    declared_at: T0,
    acknowledged_at: null,
    triaged_at: null,
    first_update_at: null,
    status_page_at: null,
    mitigated_at: null,
    resolved_at: null,
    state_entered_at: T0,
    last_update_at: { internal: null, external: null },
    ...over,
  });
  const overdue = (incident: IncidentSnapshot, now: Date) =>
    evaluate({ plan: p, incident, trigger: { kind: 'timer' }, now })
      .filter((f) => f.rule.name === 'plan: internal update cadence')
      .map((f) => f.triggerKey);

  it('after 2h the hourly cadence applies; in monitoring nothing is overdue', () => {
    const late = snap({ last_update_at: { internal: min(110), external: null } });
    expect(overdue(late, min(169))).toEqual([]);
    expect(overdue(late, min(171))).toEqual([`overdue:internal:${min(170).toISOString()}`]);
    expect(overdue(late, min(231))).toEqual([`overdue:internal:${min(230).toISOString()}`]);
    const watching = snap({
      state: 'monitoring',
      state_entered_at: min(100),
      last_update_at: late.last_update_at,
    });
    expect(overdue(watching, min(500))).toEqual([]);
  });

  it('GET /plans/:name/rules says the cadence by age and state', () => {
    const rule = (
      evaluate({ plan: p, incident: snap({}), trigger: { kind: 'timer' }, now: min(31) }).find(
        (f) => f.rule.name === 'plan: internal update cadence',
      ) ?? { rule: { description: '' } }
    ).rule;
    expect(rule.description).toContain('internal updates every SEV1 30m, 1h after 2h, none in monitoring');
  });
});
