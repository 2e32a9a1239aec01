import { describe, expect, it } from 'vitest';
import type { Incident } from '../incidents/incident.ts';
import { loadPlan, type Plan } from '../plans/plan.ts';
import {
  type ApprovedUpdate,
  approvalRows,
  goalRows,
  notChecked,
  postmortemRow,
  recurrenceRow,
  shadowRow,
  urgencyRow,
  verificationRow,
} from './judge.ts';

const plan = loadPlan(
  `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: judged }
severities: [{ id: P0, title: Outage }]
lifecycle: { states: [{ id: investigating }, { id: monitoring }, { id: resolved }] }
verification: { monitorFor: 30m, checks: [{ title: Errors low, metric: error_rate, below: 0.1 }] }
goals: { mtta: { target: 5m }, mttr: { bySeverity: { P0: 30m } }, maxPerQuarter: { P0: 2 } }
`,
  'j.yaml',
).plan as Plan;

const t = (m: number) => new Date(Date.UTC(2026, 0, 5, 10, m));
const incident = {
  severity: 'P0',
  declared_at: t(0),
  detected_at: null,
  acknowledged_at: t(4),
  triaged_at: t(6),
  mitigated_at: t(10),
  resolved_at: t(48),
} as unknown as Incident;

describe('drill judgement beyond targets', () => {
  it('judges goals for this incident, reported but not counted', () => {
    expect(goalRows(plan, incident).map((r) => [r.rule, r.actual, r.verdict, r.counts])).toEqual([
      ['goals.mtta.target', '4m', 'met', false],
      ['goals.mttr.bySeverity.P0', '48m', 'breached', false],
    ]);
  });

  it('judges the verification window from the state changes, and counts it', () => {
    const states = (enter: number) => [
      { at: t(enter), data: { from: 'investigating', to: 'monitoring' } },
      { at: t(48), data: { from: 'monitoring', to: 'resolved' } },
    ];
    expect(verificationRow(plan, incident, states(17))).toMatchObject({
      actual: '31m',
      verdict: 'met',
      counts: true,
    });
    expect(verificationRow(plan, incident, states(30))).toMatchObject({ actual: '18m', verdict: 'breached' });
    expect(verificationRow(plan, incident, [])).toMatchObject({
      actual: 'never in monitoring',
      verdict: 'breached',
    });
  });

  it('says which rules it cannot judge', () => {
    expect(notChecked(plan).map((r) => r.rule)).toEqual(['verification.checks', 'goals.maxPerQuarter']);
  });
});

describe('drill judgement of a recurrence (lifecycle.reopenWithin)', () => {
  const windowed = loadPlan(
    `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: reopening }
severities: [{ id: P0, title: Outage }]
lifecycle: { states: [{ id: open }, { id: resolved }], reopenWithin: 30m }
`,
    'r.yaml',
  ).plan as Plan;
  const alert = (routing: string | null) => ({
    at_offset: '+40m',
    key: 'db-down',
    action: 'trigger',
    outcome: 'created',
    routing,
    incident_id: null,
  });
  const within = { row: 0, incidentId: '7', resolvedAt: t(10), at: t(40) };
  const after = { ...within, at: t(41) };

  it('expects a reopen within the window (inclusive) and a new incident after it', () => {
    expect(recurrenceRow(windowed, within, alert('reopened:7'))).toMatchObject({
      expected: 'reopens #7',
      actual: 'reopened #7',
      verdict: 'met',
      counts: true,
    });
    expect(recurrenceRow(windowed, after, alert('declared:8'))).toMatchObject({
      expected: 'opens a new incident',
      actual: 'opened #8',
      verdict: 'met',
    });
  });

  it('calls it breached when the alert rules did otherwise', () => {
    expect(recurrenceRow(windowed, within, alert('declared:8')).verdict).toBe('breached');
    expect(recurrenceRow(windowed, within, alert('reopened:6')).verdict).toBe('breached');
    expect(recurrenceRow(windowed, after, alert('reopened:7')).verdict).toBe('breached');
    expect(recurrenceRow(windowed, after, alert('suppressed:3'))).toMatchObject({
      actual: 'suppressed:3',
      verdict: 'breached',
    });
    // Without a window every recurrence opens a new incident.
    expect(recurrenceRow(plan, within, alert('declared:8')).verdict).toBe('met');
  });

  it('judges each update the plan asks approval of: who approved, for what, and one left waiting', () => {
    const approving = loadPlan(
      `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: approving }
severities: [{ id: P0, title: Outage }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
roles: [{ id: incident-commander, title: Incident Commander }]
groups: [{ id: leadership, title: Company leadership, leadership: true }]
approvals: { external: [incident-commander, leadership] }
`,
      'a.yaml',
    ).plan as Plan;
    const review = (requirement: string, actor_name: string, m: number, revision = 0) => ({
      revision,
      verdict: 'approved',
      requirement,
      actor_name,
      at: t(m),
    });
    const update = (id: string, over: Partial<ApprovedUpdate>): ApprovedUpdate => ({
      id,
      audience: 'external',
      status: 'published',
      revision: 0,
      created_at: t(9),
      published_at: t(11),
      reviews: [],
      ...over,
    });
    const offsetOf = (at: Date) => `+${(at.getTime() - t(0).getTime()) / 60_000}m`;
    const rows = approvalRows(
      approving,
      [
        update('1', {
          reviews: [review('incident-commander', 'abebe', 10), review('leadership', 'selam', 11)],
        }),
        // An approval of an earlier revision does not count for the one waiting now.
        update('2', {
          status: 'pending_approval',
          revision: 1,
          published_at: null,
          reviews: [review('incident-commander', 'abebe', 12), review('leadership', 'selam', 13, 1)],
        }),
        update('3', { audience: 'internal' }),
      ],
      offsetOf,
    );
    expect(rows).toEqual([
      {
        rule: 'approvals.external',
        expected: 'incident-commander + leadership',
        actual: 'abebe as incident-commander +10m, selam as leadership +11m',
        verdict: 'met',
        counts: true,
        note: 'update 1 written +9m, published +11m',
      },
      {
        rule: 'approvals.external',
        expected: 'incident-commander + leadership',
        actual: 'selam as leadership +13m, waiting for incident-commander',
        verdict: 'breached',
        counts: true,
        note: 'update 2 written +9m, never published',
      },
    ]);
    expect(notChecked(approving).map((r) => r.rule)).not.toContain('approvals');
  });
});

describe('the urgency row', () => {
  const low = { ...incident, id: '7', urgency: 'low' } as unknown as Incident;
  const started = (policy: string) => [{ at: t(0), data: { policy } }];
  const esc = (step: number, round: number) => [{ id: '1', step, round, started_at: t(0) }];

  it('is met by a best-effort page that stayed at its first step, breached otherwise', () => {
    const best = 'plan policy p (low urgency: best effort, no escalation)';
    const judge = (pages: Parameters<typeof urgencyRow>[1]) =>
      urgencyRow(low, pages).map((r) => [r.rule, r.verdict, r.counts]);
    expect(judge({ escalations: esc(1, 0), started: started(best) })).toEqual([['urgency', 'met', true]]);
    expect(judge({ escalations: esc(2, 0), started: started(best) })).toEqual([
      ['urgency', 'breached', true],
    ]);
    expect(judge({ escalations: esc(0, 1), started: started(best) })).toEqual([
      ['urgency', 'breached', true],
    ]);
    expect(judge({ escalations: esc(1, 0), started: started('plan policy p') })).toEqual([
      ['urgency', 'breached', true],
    ]);
    expect(judge({ escalations: [], started: [] })[0]?.[1]).toBe('breached');
  });

  it('adds no row for a high-urgency incident', () => {
    const high = { ...incident, urgency: 'high' } as unknown as Incident;
    expect(urgencyRow(high, { escalations: esc(3, 1), started: started('plan policy p') })).toEqual([]);
  });
});

describe('the shadows row', () => {
  const refusal = { incidentId: '3', who: 'sam', at: t(3) };
  const open = { ...incident, id: '3', acknowledged_at: null } as unknown as Incident;
  const off = (d: Date) => `+${(d.getTime() - t(0).getTime()) / 60_000}m`;

  it('is met when the escalation paged someone after the refusal', () => {
    const row = shadowRow(refusal, open, [{ at: t(10), to: 'lee' }], off);
    expect([row.rule, row.actual, row.verdict]).toEqual([
      'shadows',
      'refused at +3m; lee paged at +10m',
      'met',
    ]);
  });

  it('is breached when nobody was paged after it, or the incident counted as acknowledged by then', () => {
    expect(shadowRow(refusal, open, [], off).verdict).toBe('breached');
    const acked = { ...open, acknowledged_at: t(3) } as unknown as Incident;
    expect(shadowRow(refusal, acked, [{ at: t(10), to: 'lee' }], off).verdict).toBe('breached');
  });
});

describe('post-mortem deadlines', () => {
  const plan = loadPlan(
    `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: pm }
severities:
  - { id: SEV1, title: Critical, postmortem: { required: true, due: 48h } }
  - { id: SEV2, title: Major }
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
`,
    'pm.yaml',
  ).plan as Plan;
  const declared = new Date('2026-01-05T10:00:00Z');
  const resolved = new Date('2026-01-05T11:00:00Z');
  const due = new Date('2026-01-07T11:00:00Z');
  const incident = {
    severity: 'SEV1',
    declared_at: declared,
    resolved_at: resolved,
    fields: {},
  } as unknown as Incident;
  const off = (at: Date) => `+${(at.getTime() - declared.getTime()) / 3_600_000}h`;
  const doc = { status: 'draft', due_at: due, created_at: resolved, published_at: null };

  it('is met when published by the due time, breached when later or never, not checked before it', () => {
    const published = { ...doc, status: 'published', published_at: new Date('2026-01-06T10:00:00Z') };
    expect(postmortemRow(plan, incident, published, due, off)).toEqual({
      rule: 'severities.SEV1.postmortem.due',
      expected: 'created at resolution, published within 48h',
      actual: 'created +1h, published +24h (due +49h)',
      verdict: 'met',
      counts: true,
    });
    const late = { ...published, published_at: new Date('2026-01-08T10:00:00Z') };
    expect(postmortemRow(plan, incident, late, late.published_at, off)?.verdict).toBe('breached');
    const after = new Date(due.getTime() + 60_000);
    expect(postmortemRow(plan, incident, doc, after, off)).toMatchObject({
      verdict: 'breached',
      actual: 'created +1h, still draft at +49.016666666666666h (due +49h)',
    });
    expect(postmortemRow(plan, incident, doc, resolved, off)?.verdict).toBe('not checked');
    expect(postmortemRow(plan, incident, null, after, off)).toMatchObject({
      verdict: 'breached',
      actual: 'no post-mortem',
    });
  });

  it('says nothing for a severity that needs none, and not checked for an incident never resolved', () => {
    expect(postmortemRow(plan, { ...incident, severity: 'SEV2' }, null, due, off)).toBeUndefined();
    expect(postmortemRow(plan, { ...incident, resolved_at: null }, null, due, off)).toMatchObject({
      verdict: 'not checked',
      actual: 'not resolved',
    });
  });
});
