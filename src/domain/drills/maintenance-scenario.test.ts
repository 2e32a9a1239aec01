import { describe, expect, it } from 'vitest';
import { loadScenario } from './report.ts';

// A scenario's maintenance windows are MaintenanceWindow specs: checked as those, pointed at by line.
describe('scenario maintenance windows: bad input', () => {
  it('points at the window with file:line:col', () => {
    const { errors } = loadScenario(
      `service: billing
maintenance:
  - { services: [billing], start: "2026-01-05T10:00:00Z", mode: suppress }
  - { services: [billing], start: "2026-01-05T10:00:00Z", duration: 1h, mode: mute }
steps:
  - { at: 5m, do: alert, alert: { key: x } }
`,
      'bad.yaml',
    );
    expect(errors.map((e) => `${e.line} ${e.message}`)).toEqual([
      expect.stringMatching(/^3 maintenance\.0\.end: give either end or duration/),
      expect.stringMatching(/^4 maintenance\.1\.mode: /),
    ]);
  });

  it('refuses windows in a scenario without alert steps (they would cover nothing)', () => {
    const { errors } = loadScenario(
      `maintenance:
  - { services: [billing], start: "2026-01-05T10:00:00Z", duration: 1h }
steps:
  - { at: "0", do: declare }
`,
      'bad.yaml',
    );
    expect(errors.map((e) => `${e.line} ${e.message}`)).toEqual([
      '2 maintenance: maintenance windows cover the service’s alerts: add an alert step',
    ]);
  });
});
