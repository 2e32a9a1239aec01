import { afterAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { drillEngine } from '../../engine/drill-engine.ts';
import { loadScenario } from './report.ts';
import { runDrill } from './run-drill.ts';

// Drill steps that raise alerts go through the real ingest operation and the real alert rules:
// alert → incident → page, deduplication, and lifecycle.reopenWithin, on the drill's virtual clock.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: recurring }
severities:
  - { id: SEV1, title: Critical, page: { to: on-call }, targets: { acknowledge: 5m } }
  - { id: SEV2, title: Degraded, page: { to: on-call } }
groups:
  - { id: on-call, title: On call, users: [ana] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
  reopenWithin: 30m
`;

const SCENARIO = `
metadata: { name: recurring-alerts }
service: db
users: [ana]
steps:
  - { at: "0", do: alert, alert: { key: db-down, summary: Database down } }
  - { at: 1m, do: alert, alert: { key: db-down } }
  - { at: 3m, do: acknowledge, as: ana }
  - { at: 10m, do: resolve, as: ana }
  - { at: 25m, do: alert, alert: { key: db-down } }
  - { at: 30m, do: resolve, as: ana }
  - { at: "2026-01-05T11:45:00Z", do: alert, alert: { key: db-down, severity: error } }
  - { at: "2026-01-05T11:47:00Z", do: acknowledge, as: ana }
`;

let d: TestDb;
afterAll(() => d?.close());

describe('drill steps that raise alerts', { timeout: 120_000 }, () => {
  it('opens, deduplicates, reopens within the window and opens anew after it; pages each time', async () => {
    d = await freshDb();
    const { scenario, errors } = loadScenario(SCENARIO, 'recurring.yaml');
    expect(errors).toEqual([]);
    const report = await runDrill(
      d.db,
      { planSource: PLAN, planFile: 'recurring.yaml', scenario },
      drillEngine,
    );
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    const [first, second] = report.incidents;
    expect(report.incidents).toHaveLength(2);
    expect(report.incident_id).toBe(first?.id);
    expect(first).toMatchObject({ opened_offset: '+0s', severity: 'SEV1', state: 'resolved' });
    // The wall-clock step came 1h15m after the second resolution: outside the window, a new incident.
    expect(second).toMatchObject({ opened_offset: '+1h45m', severity: 'SEV2', state: 'investigating' });
    expect(report.alerts.map((a) => [a.at_offset, a.outcome, a.routing])).toEqual([
      ['+0s', 'created', `declared:${first?.id}`],
      ['+1m', 'deduplicated', `declared:${first?.id}`],
      ['+25m', 'created', `reopened:${first?.id}`],
      ['+1h45m', 'created', `declared:${second?.id}`],
    ]);
    expect(
      report.rules.filter((r) => r.rule === 'lifecycle.reopenWithin').map((r) => [r.expected, r.verdict]),
    ).toEqual([
      [`reopens #${first?.id}`, 'met'],
      ['opens a new incident', 'met'],
    ]);
    // Paged on declaration, again on the reopen, and for the new incident.
    const pagesToAna = report.messages.filter((m) => m.to === 'ana').map((m) => m.at_offset);
    expect(pagesToAna).toEqual(['+0s', '+25m', '+1h45m']);
    expect(report.targets.find((t) => t.target === 'acknowledge')?.verdict).toBe('met');
  });
});

describe('an alert the rules decide after a grace period', { timeout: 120_000 }, () => {
  it('opens its incident while the clock runs, and the steps after it act on that incident', async () => {
    d ??= await freshDb();
    const { scenario, errors } = loadScenario(
      `
metadata: { name: grace }
service: slow-db
serviceRules: { grace: 2m }
users: [ana]
steps:
  - { at: "0", do: alert, alert: { key: db-slow } }
  - { at: 5m, do: acknowledge, as: ana }
  - { at: 10m, do: resolve, as: ana }
`,
      'grace.yaml',
    );
    expect(errors).toEqual([]);
    const report = await runDrill(d.db, { planSource: PLAN, planFile: 'grace.yaml', scenario }, drillEngine);
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.incidents).toEqual([
      expect.objectContaining({ id: report.incident_id, opened_offset: '+2m', state: 'resolved' }),
    ]);
    expect(report.alerts.map((a) => [a.at_offset, a.outcome, a.routing])).toEqual([
      ['+0s', 'created', `declared:${report.incident_id}`],
    ]);
  });
});

describe('alert steps: bad input', () => {
  it('points at the step with file:line:col', () => {
    const { errors } = loadScenario(
      `steps:
  - { at: "0", do: alert }
  - { at: "2026-01-01T00:00:00Z", do: note }
  - { at: 1m, do: note, alert: { key: x } }
  - { at: 2m, do: alert, alert: { key: x, colour: red } }
`,
      'bad.yaml',
    );
    expect(errors.map((e) => `${e.line}:${e.col} ${e.message}`)).toEqual([
      '2:5 steps.0.alert: an alert step needs `alert: {key: …}`',
      '3:11 steps.1.at: 2026-01-01T00:00:00Z is before the drill starts (2026-01-05T10:00:00.000Z)',
      '4:32 steps.2.alert: only an `alert` step sends an alert',
      '5:43 steps.3.alert.colour: unknown key "colour"',
    ]);
  });
});
