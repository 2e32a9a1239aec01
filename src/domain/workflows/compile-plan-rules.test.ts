import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPlan, onStatusPage, type Plan, targetDurations } from '../plans/plan.ts';
import { TARGET_KINDS } from '../plans/plan-schema.ts';
import { commanderRole, compilePlanRules, effectiveRules } from './compile-plan-rules.ts';
import { evaluate } from './evaluate.ts';
import { render } from './render.ts';
import { TARGET_NAMES, workflowSchema } from './workflow-schema.ts';

const EXAMPLES = fileURLToPath(new URL('../../../examples/plans/', import.meta.url));

function plan(text: string): Plan {
  const loaded = loadPlan(text, 'test.yaml');
  if (!loaded.plan) throw new Error(JSON.stringify(loaded.errors));
  return loaded.plan;
}

const BASE = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: compiled }
statusPage: { when: customer-facing }
communication:
  external: { by: communications-lead }
severities:
  - id: SEV1
    title: Critical
    response: { hours: 24/7 }
    page: { to: on-call, channels: [phone, push], chat: "#incidents" }
    targets: { acknowledge: 5m, statusPage: 15m, resolve: 4h }
    cadence: { internal: 1h, remindAfter: { internal: 30m } }
  - id: SEV3
    title: Minor
    response: { hours: business-hours }
    page: { to: on-call, email: team@example.com }
    targets: { acknowledge: 1d }
commanderRole: incident-commander
roles:
  - { id: scribe, title: Scribe }
  - { id: incident-commander, title: Incident Commander, short: IC }
  - { id: communications-lead, title: Communications Lead }
groups:
  - { id: on-call, title: On call, schedule: primary }
  - { id: leadership, title: Leadership, leadership: true }
escalation:
  tiers:
    - { id: lead, after: 30m, notify: [leadership] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`;

describe('compilePlanRules', () => {
  const p = plan(BASE);
  const rules = compilePlanRules(p);
  const byName = (name: string) => rules.find((r) => r.name === name);

  it('turns each fixed field into a rule of the workflow shape, tagged plan', () => {
    expect(rules.map((r) => r.name)).toEqual([
      'plan: page SEV1',
      'plan: page SEV1 when raised',
      'plan: page SEV3',
      'plan: announce SEV3',
      'plan: page SEV3 when raised',
      'plan: escalation lead',
      'plan: acknowledge target',
      'plan: statusPage target',
      'plan: resolve target',
      'plan: internal update cadence',
      'plan: internal update reminder SEV1',
      'plan: status page reminder',
    ]);
    expect(rules.every((r) => r.source === 'plan')).toBe(true);
    expect(byName('plan: acknowledge target')?.description).toContain('SEV1 5m, SEV3 1d');
  });

  it('pages on declaration, and only in business hours for business-hours severities', () => {
    expect(byName('plan: page SEV1')).toMatchObject({
      when: 'incident.declared',
      if: { severity: 'SEV1' },
      then: [
        {
          escalate: {
            who: ['on-call'],
            channels: ['phone', 'push'],
            kind: 'paging',
            servicePolicy: true,
            source: 'severity',
          },
        },
        { post: { channel: '#incidents' } },
      ],
    });
    expect(byName('plan: page SEV3')?.if).toEqual({ severity: 'SEV3', businessHours: true });
    expect(byName('plan: announce SEV3')?.then).toEqual([{ notify: { email: 'team@example.com' } }]);
  });

  it('reminds the role that posts the updates, the commander otherwise', () => {
    expect(commanderRole(p)).toBe('incident-commander');
    expect(byName('plan: internal update cadence')?.then[1]).toMatchObject({
      remind: { role: 'incident-commander' },
    });
    expect(byName('plan: status page reminder')?.then[0]).toMatchObject({
      remind: { role: 'communications-lead' },
    });
    // remindAfter 30m of a 1h cadence: 30 minutes ahead of each due moment of the cadence in force.
    expect(byName('plan: internal update reminder SEV1')?.when).toEqual({
      overdue: 'internal',
      ahead: '30m',
    });
  });

  it('applies the status-page target only to incidents the status page shows', () => {
    expect(byName('plan: statusPage target')?.if).toEqual({ customerFacing: true });
    const never = compilePlanRules(plan(BASE.replace('when: customer-facing', 'when: never')));
    expect(never.map((r) => r.name)).not.toContain('plan: statusPage target');
    expect(never.map((r) => r.name)).not.toContain('plan: status page reminder');
  });

  it('keeps the plan target kinds and the workflow target names equal', () => {
    expect([...TARGET_NAMES]).toEqual([...TARGET_KINDS]);
  });

  it('reserves plan: names for compiled rules', () => {
    const bad = workflowSchema.safeParse({
      name: 'plan: sneaky',
      when: 'incident.declared',
      then: [{ note: 'x' }],
    });
    expect(bad.success).toBe(false);
  });
});

describe('the example plans', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));

  it.each(files)('%s compiles to rules with unique names whose target breaches fire when due', (file) => {
    const p = plan(readFileSync(`${EXAMPLES}${file}`, 'utf8'));
    const rules = effectiveRules(p);
    expect(new Set(rules.map((r) => r.name)).size).toBe(rules.length);
    const severity = p.severities[0]?.id ?? 'SEV1';
    const declared = new Date('2026-03-02T10:00:00Z');
    const incident = {
      id: '1',
      title: 't',
      slug: 't',
      summary: '',
      impact: '',
      service: null,
      customer_facing: true,
      labels: {},
      fields: {},
      plan_name: p.metadata.name,
      plan_version: 1,
      severity,
      state: p.lifecycle.states[0]?.id ?? 'investigating',
      correlation_id: 'c',
      channel_name: 'incident-1',
      declared_at: declared,
      acknowledged_at: null,
      triaged_at: null,
      first_update_at: null,
      status_page_at: null,
      mitigated_at: null,
      resolved_at: null,
      state_entered_at: declared,
      last_update_at: { internal: null, external: null },
    };
    // Each target of the severity fires its breach rule once its due time has passed unmet, not before.
    const targetFirings = (now: Date) =>
      evaluate({ plan: p, incident, trigger: { kind: 'timer' }, now })
        .filter((f) => f.rule.name.endsWith(' target'))
        .map((f) => [f.rule.name, f.facts.due_at?.toISOString()]);
    const durations = Object.entries(
      targetDurations(p, p.severities[0] as Plan['severities'][number]),
    ).filter(([target]) => target !== 'statusPage' || onStatusPage(p, incident));
    expect(durations.length, `${file}: its first severity sets targets`).toBeGreaterThan(0);
    for (const [target, ms] of durations) {
      const due = new Date(declared.getTime() + ms);
      const rule = `plan: ${target} target`;
      expect(targetFirings(due).map(([name]) => name)).not.toContain(rule);
      expect(targetFirings(new Date(due.getTime() + 1))).toContainEqual([rule, due.toISOString()]);
    }
  });
});

describe('render', () => {
  it('fills placeholders, nested ones too, and leaves names the table does not know visible', () => {
    const vars = {
      incident: {
        id: '4',
        title: 'Checkout',
        severity: 'SEV1',
        declared_at: new Date('2026-01-01T00:00:00Z'),
        fields: { region: 'eu' },
      },
    };
    expect(render('{title} in {fields.region} at {declared_at} {missing} [{fields.nope}] {}', vars)).toBe(
      'Checkout in eu at 2026-01-01 00:00 UTC {missing} [] {}',
    );
    expect(render('no placeholders', vars)).toBe('no placeholders');
    expect(render('{constructor} {__proto__} {fields.constructor}', vars)).toBe('{constructor} {__proto__} ');
  });
});
