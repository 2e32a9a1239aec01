import { describe, it } from 'vitest';
import { defaultScenario, lifecycleWalk } from '../../src/domain/drills/scenario.ts';
import { loadPlan } from '../../src/domain/plans/plan.ts';
import { DRILL_ALERT_MODULES, DRILL_MODULES } from '../../src/engine/drill-engine.ts';
import { engineModules } from '../../src/engine/modules.ts';
import {
  breachedOf,
  drill,
  overdueAudiences,
  planFiles,
  planSource,
  scenarioFiles,
  severityCases,
} from './drill-cases.ts';

// Every severity of every example plan passes its default drill (all targets met). Each drill runs on
// its own fresh database (cloned from the template, cheap), several at a time. The scenarios under
// examples/drills/ are drill-scenarios.test.ts's.

// A plan the default scenario must bend to: a resolve target shorter than the default timings, a
// cadence shorter than the default first update, two languages, and transitions that do not allow
// walking the states in their written order.
const awkwardPlan = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: awkward }
languages: [en, am]
severities:
  - id: S1
    title: Fast
    criteria: [Everything is down]
    targets: { triage: 4m, statusPage: 6m, mitigate: 12m, resolve: 20m }
    cadence: { internal: 3m, external: 10m }
roles:
  - { id: lead, title: Lead }
lifecycle:
  states: [{ id: open }, { id: identified }, { id: watching }, { id: closed }]
  transitions: { open: [watching, identified], identified: [open], watching: [closed, open] }
`;

// Drills run several at a time, so each one's wall time includes the others' turns, and scenarios
// that span a weekend (business time) tick the engine for days of virtual time: on a busy 2-core
// machine one took over 120 s. The bound guards against a hang only (nothing here measures time).
describe.concurrent('drills of the example plans', { timeout: 600_000 }, () => {
  it('covers every plan and severity', ({ expect }) => {
    expect(planFiles.length).toBeGreaterThanOrEqual(6);
    expect(severityCases.length).toBeGreaterThan(planFiles.length);
    expect(scenarioFiles.length).toBeGreaterThanOrEqual(6);
    // A drill runs the engine's own incident modules: a renamed one must not drop out silently.
    const names = engineModules({ deliver: false }).map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining([...DRILL_MODULES, ...DRILL_ALERT_MODULES]));
  });

  it.for(severityCases)(
    '%s %s meets every target in its default drill',
    async ([file, severity], { expect }) => {
      const report = await drill({ planSource: planSource(file), planFile: file, severity });
      expect(report.severity).toBe(severity);
      expect(report.steps.filter((s) => !s.ok)).toEqual([]);
      expect(report.targets.filter((t) => t.verdict !== 'met')).toEqual([]);
      expect(report.cadence.filter((c) => c.verdict !== 'met')).toEqual([]);
      expect(report.breaches_recorded).toEqual([]);
      expect(overdueAudiences(report)).toEqual([]);
      expect(report.passed).toBe(true);
      // Every severity that requires a post-mortem gets one at resolution, published in time, and a
      // verification window is watched before resolving: judged rows, met.
      const { plan } = loadPlan(planSource(file), file);
      const pm = plan?.severities.find((s) => s.id === severity)?.postmortem;
      const judged = (rule: string) => report.rules.find((r) => r.rule.startsWith(rule))?.verdict;
      if (pm?.required) expect(judged(`severities.${severity}.postmortem`)).toBe('met');
      if (plan?.verification?.monitorFor) expect(judged('verification.monitorFor')).toBe('met');
      // Every acted field the plan sets is judged or listed under "not checked" with its reason.
      expect(report.not_checked.every((n) => n.reason.length > 0)).toBe(true);
    },
  );

  it('bends the default drill to a short resolve target and restricted transitions', async ({ expect }) => {
    const { plan } = loadPlan(awkwardPlan, 'awkward.yaml');
    if (!plan) throw new Error('the awkward plan does not load');
    expect(lifecycleWalk(plan)).toEqual(['watching']);
    expect(
      defaultScenario(plan)
        .steps.filter((s) => s.do === 'transition')
        .map((s) => s.to),
    ).toEqual(['watching']);
    const report = await drill({ planSource: awkwardPlan, planFile: 'awkward.yaml' });
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.targets.map((t) => t.target)).toEqual(['triage', 'statusPage', 'mitigate', 'resolve']);
    expect(breachedOf(report)).toEqual([]);
    expect(report.cadence.map((c) => c.audience)).toEqual(['internal', 'external']);
    expect(report.passed).toBe(true);
  });
});
