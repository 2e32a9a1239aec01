import { describe, expect, it } from 'vitest';
import { formatSourceError } from '../../lib/yaml-source.ts';
import { loadPlan } from '../plans/plan.ts';
import { planPolicySteps } from './steps.ts';

// escalationPolicies[].steps[].shadows: validated at file:line:col, carried into the escalation steps.

const plan = (shadows: string) => `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: shadows }
severities: [{ id: SEV1, title: Critical }]
roles: [{ id: incident-commander, title: Incident Commander }]
groups: [{ id: sre, title: SRE, schedule: primary }]
escalationPolicies:
  - id: watch
    steps:
      - { notify: [sre], shadows: ${shadows} }
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
`;

describe('shadow recipients in a plan', () => {
  it('become the step shadows the engine pages', () => {
    const { plan: p } = loadPlan(plan('[user:hanna, schedule:trainees, incident-commander]'), 'p.yaml');
    if (!p) throw new Error('plan did not load');
    expect(planPolicySteps(p, 'watch')?.steps[0]?.shadows).toEqual([
      { type: 'user', name: 'hanna' },
      { type: 'schedule', name: 'trainees' },
      { type: 'role', name: 'incident-commander' },
    ]);
  });

  it('refuses an unknown group or role and a non-person at file:line:col', () => {
    expect(loadPlan(plan('[trainees, "#incidents"]'), 'p.yaml').errors.map(formatSourceError)).toEqual([
      'p.yaml:10:36: escalationPolicies.0.steps.0.shadows.0: "trainees" is not an escalation policy, group or role; a shadow is a role or group of this plan, user:<handle>, schedule:<name> or team:<name>',
      'p.yaml:10:46: escalationPolicies.0.steps.0.shadows.1: "#incidents" is not a person; a shadow is a role or group of this plan, user:<handle>, schedule:<name> or team:<name>',
    ]);
  });
});
