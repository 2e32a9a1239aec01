import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadPlan, type Plan } from '../plans/plan.ts';
import { planSchema } from '../plans/plan-schema.ts';
import { businessHoursOf, DEFAULT_BUSINESS_HOURS, isBusinessHours } from './business-hours.ts';
import { effectiveRules } from './compile-plan-rules.ts';
import { evaluate, MAX_CHAIN_DEPTH, type Trigger } from './evaluate.ts';
import { planGuards } from './get-plan-rules.ts';
import { matches } from './match.ts';
import type { Rule } from './rules.ts';
import type { IncidentSnapshot } from './snapshot.ts';
import { EVENT_TRIGGERS, type Matcher } from './workflow-schema.ts';

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: unit }
severities:
  - id: SEV1
    title: Critical
    targets: { acknowledge: 5m, statusPage: 15m, resolve: 4h }
    cadence: { internal: 30m, external: 1h }
    page: { servicePolicy: false } # these tests count workflow runs: no service-policy page rule
  - id: SEV2
    title: Major
    targets: { acknowledge: 30m }
    page: { servicePolicy: false }
roles:
  - { id: incident-commander, title: Incident Commander }
groups:
  - { id: service-owner, title: Service owner, serviceOwner: true }
  - { id: leadership, title: Leadership, leadership: true }
lifecycle:
  states: [{ id: investigating }, { id: monitoring }, { id: resolved }]
workflows:
  - name: war room
    when: incident.declared
    if: { severity: [SEV1, SEV2], customerFacing: true }
    then: [{ page: service-owner }]
  - name: stakeholders after 30m
    when: { elapsed: 30m, since: declared }
    if: { state: { not: resolved } }
    then: [{ notify: { group: leadership } }]
  - name: every 10m in monitoring
    when: { elapsed: 10m, since: state, state: monitoring, repeat: true }
    then: [{ note: still monitoring }]
  - name: status page breached
    when: target.breached
    if: { target: statusPage }
    then: [{ notify: { role: incident-commander } }]
`;

function plan(text = PLAN): Plan {
  const loaded = loadPlan(text, 'unit.yaml');
  if (!loaded.plan) throw new Error(JSON.stringify(loaded.errors));
  return loaded.plan;
}

const T0 = new Date('2026-03-02T10:00:00Z'); // a Monday
const min = (n: number) => new Date(T0.getTime() + n * 60_000);

function snap(over: Partial<IncidentSnapshot> = {}): IncidentSnapshot {
  return {
    id: '1',
    title: 'Checkout failing',
    slug: 'checkout-failing',
    summary: '',
    impact: 'payments fail',
    service: 'checkout',
    customer_facing: true,
    labels: { team: 'payments' },
    fields: { priority: 1 },
    plan_name: 'unit',
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
  };
}

const event = (name: string, data: Record<string, unknown> = {}): Trigger => ({
  kind: 'event',
  eventId: '42',
  event: name,
  data,
});
const timer: Trigger = { kind: 'timer' };
const names = (firings: { rule: Rule }[]) => firings.map((f) => f.rule.name);

describe('evaluate: events', () => {
  const p = plan();

  it('fires a workflow whose trigger and conditions match, keyed by the event id', () => {
    const firings = evaluate({ plan: p, incident: snap(), trigger: event('incident.declared'), now: T0 });
    expect(names(firings)).toEqual(['war room']);
    expect(firings[0]?.triggerKey).toBe('event:42');
    expect(firings[0]?.rule.then).toEqual([{ page: 'service-owner' }]);
  });

  it('does not fire when a condition fails or the trigger differs', () => {
    const internal = snap({ customer_facing: false });
    expect(evaluate({ plan: p, incident: internal, trigger: event('incident.declared'), now: T0 })).toEqual(
      [],
    );
    const sev3 = snap({ severity: 'SEV3' });
    expect(evaluate({ plan: p, incident: sev3, trigger: event('incident.declared'), now: T0 })).toEqual([]);
    expect(evaluate({ plan: p, incident: snap(), trigger: event('incident.resolved'), now: T0 })).toEqual([]);
  });

  it('matches target, role and audience against the event data', () => {
    const breached = (target: string) =>
      names(evaluate({ plan: p, incident: snap(), trigger: event('target.breached', { target }), now: T0 }));
    expect(breached('statusPage')).toEqual(['status page breached']);
    expect(breached('acknowledge')).toEqual([]);
  });

  it('never fires a workflow for an event it produced itself, nor deep in a chain', () => {
    const own = event('target.breached', {
      target: 'statusPage',
      workflow: 'status page breached',
      chain: 1,
    });
    expect(evaluate({ plan: p, incident: snap(), trigger: own, now: T0 })).toEqual([]);
    const other = event('target.breached', { target: 'statusPage', workflow: 'someone else', chain: 1 });
    expect(names(evaluate({ plan: p, incident: snap(), trigger: other, now: T0 }))).toHaveLength(1);
    const deep = event('target.breached', { target: 'statusPage', chain: MAX_CHAIN_DEPTH });
    expect(evaluate({ plan: p, incident: snap(), trigger: deep, now: T0 })).toEqual([]);
  });
});

describe('evaluate: conditions', () => {
  const p = plan();
  const rule = (cond: Rule['if']): Rule => ({
    name: 'r',
    source: 'workflow',
    when: 'incident.declared',
    if: cond,
    then: [{ note: 'x' }],
  });
  const fires = (cond: Rule['if'], incident = snap(), now = T0) =>
    evaluate({ plan: p, incident, trigger: event('incident.declared'), now, rules: [rule(cond)] }).length ===
    1;

  it('supports value, list, not, in, gt, lt and exists on fields and labels', () => {
    expect(fires({ service: 'checkout' })).toBe(true);
    expect(fires({ service: ['search', 'checkout'] })).toBe(true);
    expect(fires({ service: { not: 'checkout' } })).toBe(false);
    expect(fires({ severity: { in: ['SEV2'] } })).toBe(false);
    expect(fires({ fields: { priority: { lt: 2 } } })).toBe(true);
    expect(fires({ fields: { priority: { gt: 1 } } })).toBe(false);
    expect(fires({ fields: { priority: '1' } })).toBe(true);
    expect(fires({ fields: { owner: { exists: false } } })).toBe(true);
    expect(fires({ fields: { owner: { exists: true } } })).toBe(false);
    expect(fires({ fields: { title: 'Checkout failing' } })).toBe(true);
    expect(fires({ labels: { team: 'payments' } })).toBe(true);
    expect(fires({ labels: { team: { not: ['payments', 'search'] } } })).toBe(false);
    expect(fires({ impact: { exists: true }, customerFacing: true })).toBe(true);
  });

  it('checks business hours in the plan time zone, Mon–Fri 09:00–17:00 UTC by default', () => {
    expect(fires({ businessHours: true }, snap(), new Date('2026-03-02T16:59:00Z'))).toBe(true);
    expect(fires({ businessHours: true }, snap(), new Date('2026-03-02T17:00:00Z'))).toBe(false);
    expect(fires({ businessHours: false }, snap(), new Date('2026-03-07T12:00:00Z'))).toBe(true);
    const hoursOf = (written: Record<string, unknown>) =>
      businessHoursOf({ businessHours: planSchema.shape.businessHours.parse(written) });
    expect(hoursOf({})).toEqual(DEFAULT_BUSINESS_HOURS);
    const berlin = hoursOf({ timeZone: 'Europe/Berlin', start: '08:00', end: '16:00' });
    expect(isBusinessHours(new Date('2026-03-02T07:30:00Z'), berlin)).toBe(true); // 08:30 CET
    expect(isBusinessHours(new Date('2026-03-02T15:30:00Z'), berlin)).toBe(false); // 16:30 CET
    // A bad zone is an error when the clock is read, not UTC in disguise.
    expect(() =>
      isBusinessHours(new Date('2026-03-02T12:00:00Z'), { ...DEFAULT_BUSINESS_HOURS, timeZone: 'Not/AZone' }),
    ).toThrow(/unknown time zone/);
    const night = hoursOf({ start: '22:00', end: '06:00', days: ['fri'] });
    expect(isBusinessHours(new Date('2026-03-07T03:00:00Z'), night)).toBe(true); // Friday night's window
    expect(isBusinessHours(new Date('2026-03-08T03:00:00Z'), night)).toBe(false);
  });
});

describe('evaluate: timers', () => {
  const p = plan();
  const at = (now: Date, incident = snap({ acknowledged_at: T0, status_page_at: T0 })) =>
    evaluate({ plan: p, incident, trigger: timer, now });

  it('fires an elapsed rule once its time has come, under a stable key', () => {
    expect(names(at(min(29)))).not.toContain('stakeholders after 30m');
    const firing = at(min(31)).find((f) => f.rule.name === 'stakeholders after 30m');
    expect(firing?.triggerKey).toBe('elapsed:30m');
    expect(at(min(500)).find((f) => f.rule.name === 'stakeholders after 30m')?.triggerKey).toBe(
      'elapsed:30m',
    );
  });

  it('repeats from the state entry and only in that state', () => {
    const monitoring = snap({
      state: 'monitoring',
      state_entered_at: min(60),
      acknowledged_at: T0,
      status_page_at: T0,
    });
    const keys = (now: Date) =>
      at(now, monitoring)
        .filter((f) => f.rule.name === 'every 10m in monitoring')
        .map((f) => f.triggerKey);
    expect(keys(min(69))).toEqual([]);
    expect(keys(min(70))).toEqual([`elapsed:10m:state@${min(60).toISOString()}#1`]);
    expect(keys(min(95))).toEqual([`elapsed:10m:state@${min(60).toISOString()}#3`]);
    expect(at(min(95)).map((f) => f.rule.name)).not.toContain('every 10m in monitoring');
  });

  it('records a target breach when the due time passes unmet, also when met late', () => {
    const ack = (incident: IncidentSnapshot, now: Date) =>
      evaluate({ plan: p, incident, trigger: timer, now }).filter(
        (f) => f.rule.name === 'plan: acknowledge target',
      );
    expect(ack(snap(), min(5))).toEqual([]);
    expect(ack(snap(), min(6)).map((f) => [f.triggerKey, f.facts.due_at])).toEqual([
      ['target:acknowledge', min(5)],
    ]);
    expect(ack(snap({ acknowledged_at: min(4) }), min(60))).toEqual([]);
    expect(ack(snap({ acknowledged_at: min(7) }), min(60))).toHaveLength(1);
    // SEV2 has a longer target: the incident's own severity decides.
    expect(ack(snap({ severity: 'SEV2' }), min(20))).toEqual([]);
  });

  it('reminds before the status page is due, once, while it is unmet', () => {
    const reminders = (incident: IncidentSnapshot, now: Date) =>
      evaluate({ plan: p, incident, trigger: timer, now })
        .filter((f) => f.rule.name === 'plan: status page reminder')
        .map((f) => f.triggerKey);
    expect(reminders(snap(), min(9))).toEqual([]);
    expect(reminders(snap(), min(10))).toEqual(['target:statusPage:-5m']);
    expect(reminders(snap({ status_page_at: min(8) }), min(10))).toEqual([]);
  });

  it('keys cadence reminders by due time, from the last update of that audience', () => {
    const overdue = (incident: IncidentSnapshot, now: Date) =>
      evaluate({ plan: p, incident, trigger: timer, now })
        .filter((f) => f.rule.name === 'plan: internal update cadence')
        .map((f) => f.triggerKey);
    expect(overdue(snap(), min(29))).toEqual([]);
    // An update exactly at the due moment is on time: overdue only once it has passed.
    expect(overdue(snap(), min(30))).toEqual([]);
    const justAfter = new Date(min(30).getTime() + 1);
    expect(overdue(snap(), justAfter)).toEqual([`overdue:internal:${min(30).toISOString()}`]);
    expect(overdue(snap(), min(75))).toEqual([`overdue:internal:${min(60).toISOString()}`]);
    const updated = snap({ last_update_at: { internal: min(50), external: null } });
    expect(overdue(updated, min(75))).toEqual([]);
    expect(overdue(updated, min(81))).toEqual([`overdue:internal:${min(80).toISOString()}`]);
  });

  it('stops elapsed and cadence timers at resolution but still settles breaches', () => {
    const resolved = snap({ resolved_at: min(20), state: 'resolved' });
    expect(names(at(min(120), resolved))).toEqual(['plan: acknowledge target', 'plan: statusPage target']);
    const resolvedEarly = snap({ resolved_at: min(3), state: 'resolved' });
    expect(at(min(120), resolvedEarly)).toEqual([]);
  });
});

describe('properties', () => {
  const p = plan();
  const incidentArb = fc.record({
    severity: fc.constantFrom('SEV1', 'SEV2', 'SEV3'),
    state: fc.constantFrom('investigating', 'monitoring', 'resolved'),
    customer_facing: fc.boolean(),
    service: fc.option(fc.string(), { nil: null }),
    declaredOffset: fc.integer({ min: 0, max: 10_000 }),
  });

  it('a condition-less workflow always fires for its trigger event, and only for it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EVENT_TRIGGERS),
        fc.constantFrom(...EVENT_TRIGGERS),
        incidentArb,
        fc.date({ min: T0, max: new Date('2030-01-01'), noInvalidDate: true }),
        (when, happened, i, now) => {
          const rule: Rule = { name: 'any', source: 'workflow', when, then: [{ note: 'x' }] };
          const incident = snap({ ...i, declared_at: new Date(T0.getTime() - i.declaredOffset * 1000) });
          const firings = evaluate({ plan: p, incident, trigger: event(happened), now, rules: [rule] });
          expect(firings.length).toBe(when === happened ? 1 : 0);
        },
      ),
    );
  });

  it('an elapsed timer fires exactly when its time has come, with the same key every tick', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 0, max: 1200 }), (after, nowMin) => {
        const rule: Rule = {
          name: 't',
          source: 'workflow',
          when: { elapsed: `${after}m`, since: 'declared', repeat: false },
          then: [{ note: 'x' }],
        };
        const firings = evaluate({
          plan: p,
          incident: snap(),
          trigger: timer,
          now: min(nowMin),
          rules: [rule],
        });
        expect(firings.length).toBe(nowMin >= after ? 1 : 0);
        if (firings[0]) expect(firings[0].triggerKey).toBe(`elapsed:${after}m`);
      }),
    );
  });

  it('a repeating timer never goes back to an earlier firing as time moves on', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.array(fc.integer({ min: 0, max: 2000 })),
        (every, times) => {
          const rule: Rule = {
            name: 't',
            source: 'workflow',
            when: { elapsed: `${every}m`, since: 'declared', repeat: true },
            then: [{ note: 'x' }],
          };
          let last = 0;
          for (const t of [...times].sort((a, b) => a - b)) {
            const key = evaluate({ plan: p, incident: snap(), trigger: timer, now: min(t), rules: [rule] })[0]
              ?.triggerKey;
            const n = key ? Number(key.split('#')[1]) : 0;
            expect(n).toBe(Math.floor(t / every));
            expect(n).toBeGreaterThanOrEqual(last);
            last = n;
          }
        },
      ),
    );
  });

  it('{not: x} is the negation of x for present values', () => {
    const scalar = fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: -3, max: 3 }), fc.boolean());
    fc.assert(
      fc.property(scalar, fc.oneof(scalar, fc.array(scalar, { minLength: 1, maxLength: 3 })), (value, m) => {
        fc.pre(value !== '');
        expect(matches(value, { not: m } as Matcher)).toBe(!matches(value, m));
      }),
    );
  });

  it('compiled plan rules are tagged plan, the workflows workflow', () => {
    const rules = effectiveRules(p);
    expect(rules.filter((r) => r.source === 'workflow').map((r) => r.name)).toEqual(
      p.workflows.map((w) => w.name),
    );
    expect(rules.filter((r) => r.source === 'plan').every((r) => r.name.startsWith('plan: '))).toBe(true);
  });
});

describe('evaluate: business time', () => {
  // Mon–Fri 09:00–17:00 UTC; T0 is Monday 10:00.
  const p = plan(`${PLAN}  - name: business nudge
    when: { elapsed: 4bh, since: declared, repeat: true }
    then: [{ note: four business hours }]
businessHours: { timeZone: UTC }
`);
  const rules = effectiveRules(p).filter((r) => r.name === 'business nudge');
  const fire = (now: Date, over: Partial<IncidentSnapshot> = {}) =>
    evaluate({ plan: p, incident: snap(over), trigger: timer, now, rules }).map((f) => [
      f.triggerKey,
      f.facts.due_at?.toISOString(),
    ]);

  it('a business-time timer counts only business hours, repeating over nights and weekends', () => {
    expect(fire(min(239))).toEqual([]);
    expect(fire(min(240))).toEqual([['elapsed:4bh#1', '2026-03-02T14:00:00.000Z']]);
    // Monday 17:00 → Tuesday 09:00 is closed: the second period ends Tuesday 10:00.
    expect(fire(new Date('2026-03-03T09:59:00Z'))).toEqual([['elapsed:4bh#1', '2026-03-02T14:00:00.000Z']]);
    expect(fire(new Date('2026-03-03T10:00:00Z'))).toEqual([['elapsed:4bh#2', '2026-03-03T10:00:00.000Z']]);
  });

  it('a business-time target is due after that much business time', () => {
    const q = plan(
      PLAN.replace('targets: { acknowledge: 30m }', 'targets: { acknowledge: 2bh }').concat(
        'businessHours: { timeZone: UTC }\n',
      ),
    );
    // SEV2 declared Friday 16:00 UTC: 1h on Friday, 1h on Monday → due Monday 10:00, breached after.
    const friday = new Date('2026-03-06T16:00:00Z');
    const breach = (now: Date) =>
      evaluate({
        plan: q,
        incident: snap({ severity: 'SEV2', declared_at: friday }),
        trigger: timer,
        now,
        rules: effectiveRules(q).filter((r) => r.name === 'plan: acknowledge target'),
      }).map((f) => f.facts.due_at?.toISOString());
    expect(breach(new Date('2026-03-09T10:00:00Z'))).toEqual([]);
    expect(breach(new Date('2026-03-09T10:01:00Z'))).toEqual(['2026-03-09T10:00:00.000Z']);
  });

  it('GET /plans/:name/rules says how business time counts', () => {
    expect(planGuards(p).find((g) => g.field === 'businessHours')?.description).toBe(
      'business time (4bh) counts only mon, tue, wed, thu, fri 09:00–17:00 UTC; one business day is one such window',
    );
    expect(planGuards(plan()).find((g) => g.field === 'businessHours')).toBeUndefined();
  });
});
