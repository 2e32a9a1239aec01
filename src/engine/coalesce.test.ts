import { describe, expect, it } from 'vitest';
import { holdAfter, type TickOutcome } from './engine.ts';

// A flood of alerts is answered by one tick every EngineModule.coalesce.ms, not one per ingest commit:
// what holds the next pass, and what does not.

const modules = new Map([
  ['alert-rules', { coalesce: { atLeast: 16, ms: 50 } }],
  ['workflow-events', {}],
]);
const ran = (module: string, handled: number, more = false): TickOutcome => ({
  module,
  outcome: 'ran',
  handled,
  more,
});

describe('engine pass hold under a flood', () => {
  it('holds the next pass after a tick of at least atLeast items', () => {
    expect(holdAfter([ran('alert-rules', 16), ran('workflow-events', 3)], modules)).toBe(50);
    expect(holdAfter([ran('alert-rules', 400)], modules)).toBe(50);
  });

  it('does not hold a steady trickle, another module, or a full batch that left work', () => {
    expect(holdAfter([ran('alert-rules', 15)], modules)).toBe(0);
    expect(holdAfter([ran('workflow-events', 500)], modules)).toBe(0);
    expect(holdAfter([ran('alert-rules', 500, true)], modules)).toBe(0);
    expect(holdAfter([ran('alert-rules', 40), ran('workflow-events', 100, true)], modules)).toBe(0);
    expect(holdAfter([{ module: 'alert-rules', outcome: 'skipped', handled: 0, more: false }], modules)).toBe(
      0,
    );
  });
});
