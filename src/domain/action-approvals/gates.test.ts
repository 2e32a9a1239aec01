import { describe, expect, it } from 'vitest';
import { formatSourceError } from '../../lib/yaml-source.ts';
import { gateRows } from '../drills/judge.ts';
import { lifecycleOf, loadPlan } from '../plans/plan.ts';
import { planGuards } from '../workflows/get-plan-rules.ts';
import { gatesFor } from './gates.ts';

// approvals.actions: which gates an action meets (pure), and planted errors at file:line:col.

const plan = (gates: string) => `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: gates }
severities: [{ id: SEV1, title: Critical }, { id: SEV2, title: Major }]
roles: [{ id: incident-commander, title: Incident Commander }]
groups: [{ id: leadership, title: Leadership, users: [lea, leo] }, { id: managers, title: Managers, leadership: true }]
lifecycle: { states: [{ id: investigating }, { id: monitoring }, { id: resolved }] }
approvals:
  actions:
${gates}`;

const errorsOf = (gates: string) => loadPlan(plan(gates), 'p.yaml').errors.map(formatSourceError);

describe('approvals.actions', () => {
  it('matches each action to the gates that apply', () => {
    const { plan: p } = loadPlan(
      plan(`    - { action: resolve, by: [leadership], quorum: 2 }
    - { action: lowerSeverity, by: [incident-commander] }
    - { action: changeSeverity, by: [managers] }
    - { action: enterState, state: monitoring, by: [user:max] }
    - { action: close, by: [team:sre] }
`),
      'p.yaml',
    );
    if (!p) throw new Error('plan did not load');
    const lc = lifecycleOf(p);
    const at = (a: Parameters<typeof gatesFor>[2]) => gatesFor(p, lc, a).map((g) => g.index);
    expect(at({ kind: 'state', from: 'investigating', to: 'resolved' })).toEqual([0, 4]);
    expect(at({ kind: 'state', from: 'investigating', to: 'monitoring' })).toEqual([3]);
    expect(at({ kind: 'severity', from: 'SEV1', to: 'SEV2', reason: 'r' })).toEqual([1, 2]);
    expect(at({ kind: 'severity', from: 'SEV2', to: 'SEV1', reason: 'r' })).toEqual([2]);
  });

  it('reports an unknown role, a missing state, a quorum larger than the group at file:line:col', () => {
    expect(
      errorsOf(`    - { action: resolve, by: [incident-comander] }
    - { action: enterState, by: [leadership] }
    - { action: resolve, by: [leadership, user:max], quorum: 4 }
    - { action: lowerSeverity, state: resolved, by: [managers], quorum: 9 }
    - { action: enterState, state: fixed, by: ["#incidents"] }
`),
    ).toEqual([
      'p.yaml:10:31: approvals.actions.0.by.0: "incident-comander" is not an escalation policy, group or role; an approver is a role or group of this plan, user:<handle>, schedule:<name> or team:<name>',
      'p.yaml:11:7: approvals.actions.1.state: enterState needs the state it gates',
      'p.yaml:12:62: approvals.actions.2.quorum: 4 approvers needed, but leadership, user:max name only 3',
      'p.yaml:13:39: approvals.actions.3.state: only an enterState gate names a state',
      'p.yaml:14:36: approvals.actions.4.state: undefined state "fixed"',
      'p.yaml:14:48: approvals.actions.4.by.0: "#incidents" is not a person; an approver is a role or group of this plan, user:<handle>, schedule:<name> or team:<name>',
    ]);
  });

  it('is listed among the plan rules and judged by drills', () => {
    const { plan: p } = loadPlan(plan('    - { action: resolve, by: [leadership], quorum: 2 }\n'), 'p.yaml');
    if (!p) throw new Error('plan did not load');
    expect(planGuards(p)).toContainEqual({
      field: 'approvals.actions[0]',
      description:
        'resolve needs 2 of leadership to approve: asking opens a request (409 naming what is missing), the ' +
        'requester cannot approve it, one rejection closes it, on quorum it is carried out as asked',
    });
    const request = (status: string, approved_by: string[]) => ({
      summary: 'state investigating → resolved',
      status,
      requested_by: 'ann',
      gates: [{ index: 0, quorum: 2, approved_by }],
      votes: approved_by.map((by) => ({ by, verdict: 'approved' })),
    });
    expect(gateRows(p, []).map((r) => r.verdict)).toEqual(['not checked']);
    expect(gateRows(p, [request('approved', ['lea', 'leo'])]).map((r) => r.verdict)).toEqual(['met']);
    expect(gateRows(p, [request('approved', ['lea'])]).map((r) => r.verdict)).toEqual(['breached']);
    expect(gateRows(p, [request('approved', ['ann', 'lea'])]).map((r) => r.verdict)).toEqual(['breached']);
    const waiting = gateRows(p, [request('pending', ['lea'])])[0];
    expect(waiting?.verdict).toBe('breached');
    expect(waiting?.note).toBe('still waiting for approval at the end');
  });
});
