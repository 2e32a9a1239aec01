import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../plans/plan.ts';
import { PLAN_FIELD_USE } from '../plans/plan-fields.ts';
import { DRILL_COVERAGE, notCheckedFields, planSets } from './coverage.ts';

// Drills judge everything: every plan field Tocsin acts on is judged by the drill report or listed
// under "not checked" with a reason. A field that starts to act (plan-fields.ts) fails here until
// coverage.ts says which.

const acted = Object.entries(PLAN_FIELD_USE)
  .filter(([, use]) => use === 'acted')
  .map(([field]) => field);

describe('drill coverage of the plan fields', () => {
  it('judges or lists as not checked every acted field, and lists nothing else', () => {
    expect(acted.filter((f) => !(f in DRILL_COVERAGE))).toEqual([]);
    expect(Object.keys(DRILL_COVERAGE).filter((f) => PLAN_FIELD_USE[f] !== 'acted')).toEqual([]);
    for (const [field, c] of Object.entries(DRILL_COVERAGE)) {
      const why = 'judged' in c ? c.judged : c.notChecked;
      expect(why.length, field).toBeGreaterThan(20);
    }
  });

  it('lists the not-checked fields a seed plan sets, each with its reason', () => {
    const { plan } = loadPlan(readFileSync('examples/plans/alerting.yaml', 'utf8'), 'alerting.yaml');
    if (!plan) throw new Error('alerting.yaml does not load');
    expect(planSets(plan, 'escalationPolicies[].steps[].shadows')).toBe(true);
    expect(planSets(plan, 'automatedRecovery.enabled')).toBe(false);
    const fields = notCheckedFields(plan).map((n) => n.field);
    expect(fields).toEqual(
      expect.arrayContaining(['severities[].page', 'groups[].users', 'escalationPolicies']),
    );
    // Judged fields are not listed: the report has their rows.
    expect(fields).not.toContain('tasks');
    expect(fields).not.toContain('lifecycle.reopenWithin');
    expect(notCheckedFields(plan).find((n) => n.field === 'severities[].page')?.reason).toContain('messages');
  });
});
