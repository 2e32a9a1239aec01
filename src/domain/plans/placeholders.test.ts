import { describe, expect, it } from 'vitest';
import {
  PLACEHOLDER_PREFIXES,
  PLACEHOLDERS,
  placeholdersFor,
  type RenderFacts,
  renderPlaceholders,
} from './placeholders.ts';
import { loadPlan, type Plan } from './plan.ts';
import { planReferenceMarkdown } from './plan-docs.ts';

// One table drives validation, the reference and rendering: every placeholder it lists renders in
// every context it allows, the reference lists each, and the validator rejects any other name in
// every templated field, pointing at the placeholder itself.

const PLAN = `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: placeholders }
severities:
  - id: SEV1
    title: Critical
    cadence: { internal: 30m, external: 1h }
    postmortem: { required: true, due: 48h }
roles: [{ id: incident-commander, title: Incident Commander }]
lifecycle: { states: [{ id: investigating, title: Investigating }, { id: resolved }] }
`;

const plan = loadPlan(PLAN, 'p.yaml').plan as Plan;
const declared = new Date('2026-03-02T10:00:00Z');
const facts: RenderFacts = {
  plan,
  incident: {
    id: '7',
    title: 'Checkout down',
    slug: 'checkout-down',
    severity: 'SEV1',
    state: 'investigating',
    summary: 'Payments fail',
    impact: 'No one can pay',
    service: 'checkout',
    customer_facing: true,
    correlation_id: 'inc-7',
    channel_name: 'incident-7-checkout-down',
    declared_at: declared,
    detected_at: new Date('2026-03-02T09:55:00Z'),
    acknowledged_at: new Date('2026-03-02T10:03:00Z'),
    resolved_at: null,
    plan_name: 'placeholders',
    plan_version: 3,
    labels: { region: 'eu' },
    fields: { users_affected: 1200, eta: '12:00 UTC', services: 'checkout, cart' },
    last_update_at: { internal: new Date('2026-03-02T10:20:00Z'), external: null },
  },
  now: new Date('2026-03-02T10:40:00Z'),
  url: 'https://tocsin.example.com/incidents/7',
  commander: 'kim',
  acknowledgedBy: 'lee',
  rootCause: 'A bad deploy',
  resolution: 'Rolled back',
  message: 'We rolled back.',
  recipientName: 'mo',
  trigger: {
    event: 'target.breached',
    target: 'resolve',
    role: 'incident-commander',
    audience: 'internal',
    due_at: new Date('2026-03-02T14:00:00Z'),
    workflow: 'war room',
    reason: 'Error rate = 0.05 (must be below 0.001)',
  },
};

describe('the placeholder table renders', () => {
  it.each(Object.keys(PLACEHOLDERS))('{%s} in messages', (name) => {
    const out = renderPlaceholders(`<{${name}}>`, facts);
    expect(out).not.toContain('{');
    expect(out).not.toBe('<>');
  });

  it('renders what each placeholder means', () => {
    const r = (t: string) => renderPlaceholders(t, facts);
    expect(r('{next_update}')).toBe('2026-03-02 10:50 UTC'); // last internal 10:20 + 30m
    expect(r('{incident_commander} / {acknowledged_by}')).toBe('kim / lee');
    expect(r('{duration} since {started_at}')).toBe('45m since 2026-03-02 09:55 UTC');
    expect(r('{postmortem_due}')).toBe('48h after resolution');
    expect(r('{users_affected} users, ETA {eta}, {services}')).toBe(
      '1200 users, ETA 12:00 UTC, checkout, cart',
    );
    expect(r('{status} {state_title} {labels.region} {fields.eta}')).toBe(
      'INVESTIGATING Investigating eu 12:00 UTC',
    );
    const resolved = {
      ...facts,
      incident: { ...facts.incident, resolved_at: new Date('2026-03-02T11:00:00Z') },
    };
    expect(renderPlaceholders('{postmortem_due} {next_update} {duration}', resolved)).toBe(
      '2026-03-04 11:00 UTC none 1h5m',
    );
  });

  it('never shows a next update in the past', () => {
    const late = { ...facts, now: new Date('2026-03-02T12:00:00Z') };
    expect(renderPlaceholders('{next_update}', late)).toBe('2026-03-02 12:00 UTC');
  });

  it('fills links and channel names only with their own placeholders, URL-encoded in links', () => {
    for (const name of placeholdersFor('link')) {
      expect(renderPlaceholders(`{${name}}`, facts, 'link', encodeURIComponent)).not.toContain('{');
    }
    expect(renderPlaceholders('{title}/{service}', facts, 'link', encodeURIComponent)).toBe(
      '{title}/checkout',
    );
    expect(renderPlaceholders('{date}-{slug}', facts, 'channel')).toBe('2026-03-02-checkout-down');
  });

  it('lists every placeholder in the plan reference', () => {
    const doc = planReferenceMarkdown();
    for (const name of Object.keys(PLACEHOLDERS)) expect(doc).toContain(`| \`{${name}}\` |`);
    for (const prefix of PLACEHOLDER_PREFIXES) expect(doc).toContain(`{${prefix}<name>}`);
  });
});

describe('an unknown placeholder is an error at its line:col', () => {
  const FIELDS: [string, string][] = [
    ['notify: { channel: "#x-{nope}" }', 'notify.channel'],
    ['notify: { email: "{nope}@example.com" }', 'notify.email'],
    ['notify: { user: "{nope}" }', 'notify.user'],
    ['notify: { message: "hi {nope}" }', 'notify.message'],
    ['post: { channel: "#x", message: "hi {nope}" }', 'post.message'],
    ['remind: { message: "hi {nope}" }', 'remind.message'],
    ['note: "hi {nope}"', 'note'],
    ['addChecklistItem: "hi {nope}"', 'addChecklistItem'],
    ['addTask: { title: "hi {nope}" }', 'addTask.title'],
    ['createActionItem: { title: "x", owner: "{nope}" }', 'createActionItem.owner'],
    ['setField: { field: x, value: "{nope}" }', 'setField.value'],
    ['page: "user:{nope}"', 'page'],
    ['addResponders: ["user:{nope}"]', 'addResponders.0'],
    ['webhook: { url: "https://h.example.com/{title}" }', 'webhook.url'],
    [
      'setStatusPageComponent: { component: "{nope}", status: degraded_performance }',
      'setStatusPageComponent.component',
    ],
  ];

  it.each(FIELDS)('%s', (action, path) => {
    const text = `${PLAN}workflows:\n  - name: w\n    when: incident.declared\n    then:\n      - ${action}\n`;
    const errors = loadPlan(text, 'p.yaml').errors;
    const line = text.split('\n').findIndex((l) => l.includes(action)) + 1;
    const col =
      (text.split('\n')[line - 1] as string).indexOf(action.includes('{nope}') ? '{nope}' : '{title}') + 1;
    expect(errors.map((e) => `${e.line}:${e.col}: ${e.message}`)).toEqual([
      expect.stringMatching(
        new RegExp(`^${line}:${col}: workflows\\.0\\.then\\.0\\.${path.replace(/\./g, '\\.')}: `),
      ),
    ]);
  });

  it('in templates, subjects, links and the channel name, block scalars included', () => {
    const text = `${PLAN}channel: { name: "inc-{title}" }
links: { logs: "https://logs.example.com/?q={correlation_id}&t={titel}" }
templates:
  - id: mail
    kind: email
    subject: { en: "[{severity}] {titel}" }
    body:
      en: |
        Hello {recipient_name},
        the next update is at {next_updte}.
`;
    const errors = loadPlan(text, 'p.yaml').errors.map((e) => `${e.line}:${e.col}: ${e.message}`);
    expect(errors).toEqual([
      expect.stringMatching(/^11:23: channel\.name: \{title\} is not known in the channel name; use/),
      expect.stringMatching(/^12:64: links\.logs: unknown placeholder \{titel\}; use/),
      expect.stringMatching(
        /^16:34: templates\.0\.subject\.en: unknown placeholder \{titel\} \(did you mean \{title\}\?\)/,
      ),
      expect.stringMatching(
        /^20:31: templates\.0\.body\.en: unknown placeholder \{next_updte\} \(did you mean \{next_update\}\?\)/,
      ),
    ]);
  });
});
