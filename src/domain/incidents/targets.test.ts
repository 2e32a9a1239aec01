import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../plans/plan.ts';
import { computeTargets, targetStatus } from './targets.ts';

const minimal = readFileSync('examples/plans/minimal.yaml', 'utf8');
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 5, 10, minutes));

function planWith(extra: string) {
  const { plan, errors } = loadPlan(
    minimal.replace(
      'targets: { acknowledge: 5m, firstUpdate: 15m, resolve: 4h }',
      `targets: { acknowledge: 5m, statusPage: 15m, resolve: 4h }`,
    ) + extra,
    'p.yaml',
  );
  expect(errors).toEqual([]);
  return plan as NonNullable<typeof plan>;
}

const milestones = {
  severity: 'SEV1',
  declared_at: at(0),
  acknowledged_at: at(3),
  triaged_at: null,
  first_update_at: null,
  status_page_at: null,
  mitigated_at: null,
  resolved_at: null,
};

describe('target clocks', () => {
  it('is met, breached or pending by the milestone and the clock', () => {
    expect(targetStatus(at(5), at(5), at(60))).toBe('met');
    expect(targetStatus(at(5), at(6), at(60))).toBe('breached');
    expect(targetStatus(at(5), null, at(4))).toBe('pending');
    expect(targetStatus(at(5), null, at(6))).toBe('breached');
  });

  it('measures each target of the severity from declaration', () => {
    const clocks = computeTargets(milestones, planWith(''), at(10));
    expect(clocks.map((c) => [c.target, c.status])).toEqual([
      ['acknowledge', 'met'],
      ['statusPage', 'pending'],
      ['resolve', 'pending'],
    ]);
    expect(clocks[1]?.due_at).toEqual(at(15));
  });

  it('counts the status-page target only for incidents the plan puts on the status page', () => {
    const plan = planWith('statusPage: { when: customer-facing }\n');
    const internal = computeTargets({ ...milestones, customer_facing: false }, plan, at(10));
    expect(internal.map((c) => c.target)).toEqual(['acknowledge', 'resolve']);
    const facing = computeTargets({ ...milestones, customer_facing: true }, plan, at(10));
    expect(facing.map((c) => c.target)).toEqual(['acknowledge', 'statusPage', 'resolve']);
    const never = computeTargets(
      { ...milestones, customer_facing: true },
      planWith('statusPage: { when: never }\n'),
      at(10),
    );
    expect(never.map((c) => c.target)).toEqual(['acknowledge', 'resolve']);
  });
});
