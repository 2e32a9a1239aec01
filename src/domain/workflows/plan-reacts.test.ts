import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from '../incidents/events.ts';
import { loadPlan, type Plan } from '../plans/plan.ts';
import { planReactsTo } from './plan-reacts.ts';

// Whether a plan's engine can act on an event kind (a rule, the incident's chat channel, an
// announcement channel): when not, the writer marks the event processed itself and no pass runs.

function plan(text: string): Plan {
  const loaded = loadPlan(text, 'plan.yaml');
  if (!loaded.plan) throw new Error(JSON.stringify(loaded.errors));
  return loaded.plan;
}

const MINIMAL = readFileSync('examples/plans/minimal.yaml', 'utf8');

describe('planReactsTo', () => {
  it('is false for a state change no rule, channel or announcement of the plan hears', () => {
    const minimal = plan(MINIMAL);
    expect(planReactsTo(minimal, EVENT_KINDS.stateChanged)).toBe(false);
    // The plan pages on declaration (its severity's page rule).
    expect(planReactsTo(minimal, EVENT_KINDS.declared)).toBe(true);
  });

  it('is true when a workflow triggers on the kind', () => {
    const text = MINIMAL.replace(
      'workflows:\n',
      'workflows:\n  - name: on mitigation\n    when: incident.state_changed\n    then:\n      - note: "moved"\n',
    );
    expect(planReactsTo(plan(text), EVENT_KINDS.stateChanged)).toBe(true);
  });

  it('is true when a state has checklists (a compiled rule triggers on entering it)', () => {
    const text = MINIMAL.replace(
      '    - id: mitigated\n',
      '    - id: mitigated\n      checklists: [declare]\n',
    );
    expect(planReactsTo(plan(text), EVENT_KINDS.stateChanged)).toBe(true);
  });

  it("is true for every kind when the incident's own Slack channel hears of key events", () => {
    const text = MINIMAL.replace(
      'channel: { name: "incident-{date}-{slug}" }',
      'channel: { name: "incident-{slug}", platform: slack }',
    );
    expect(planReactsTo(plan(text), EVENT_KINDS.stateChanged)).toBe(true);
  });
});
