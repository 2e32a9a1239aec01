import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, it } from 'vitest';
import { loadScenario } from '../../src/domain/drills/report.ts';
import { type DrillReport, runDrill } from '../../src/domain/drills/run-drill.ts';
import { defaultScenario, lifecycleWalk } from '../../src/domain/drills/scenario.ts';
import { loadPlan } from '../../src/domain/plans/plan.ts';
import { DRILL_ALERT_MODULES, DRILL_MODULES, drillEngine } from '../../src/engine/drill-engine.ts';
import { engineModules } from '../../src/engine/modules.ts';
import { freshDb, type TestDb } from '../helpers.ts';

// Every severity of every example plan passes its default drill (all targets met); each breach
// scenario under examples/drills/ reports exactly the targets it is written to miss. Each drill runs
// on its own fresh database (cloned from the template, cheap), several at a time.
const planFiles = readdirSync('examples/plans')
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const scenarioFiles = readdirSync('examples/drills')
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function planSource(file: string): string {
  return readFileSync(`examples/plans/${file}`, 'utf8');
}

const severityCases = planFiles.flatMap((file) => {
  const { plan, errors } = loadPlan(planSource(file), file);
  if (!plan) throw new Error(`${file} is not a valid plan: ${JSON.stringify(errors)}`);
  return plan.severities.map((s) => [file, s.id] as const);
});

const dbs: TestDb[] = [];
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.close()));
});

async function db() {
  const d = await freshDb();
  dbs.push(d);
  return d.db;
}

/** The plan a scenario drills: the longest example plan name its file name starts with. */
function planOf(scenarioFile: string): string {
  const plan = planFiles
    .map((f) => f.replace(/\.yaml$/, ''))
    .filter((p) => scenarioFile.startsWith(`${p}-`))
    .sort((a, b) => b.length - a.length)[0];
  if (!plan) throw new Error(`${scenarioFile}: no example plan matches; name it <plan>-<word>.yaml`);
  return plan;
}

/** Target and cadence names that ended breached, e.g. ["acknowledge", "cadence.internal"]. */
function breachedOf(report: DrillReport): string[] {
  return [
    ...report.targets.filter((t) => t.verdict === 'breached').map((t) => t.target),
    ...report.cadence.filter((c) => c.verdict === 'breached').map((c) => `cadence.${c.audience}`),
  ].sort();
}

/** Audiences the engine recorded an overdue update for while the drill ran. */
function overdueAudiences(report: DrillReport): string[] {
  const audiences = report.workflows.flatMap((w) => /^overdue:(\w+):/.exec(w.trigger)?.[1] ?? []);
  return [...new Set(audiences)].sort();
}

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
      const report = await runDrill(
        await db(),
        { planSource: planSource(file), planFile: file, severity },
        drillEngine,
      );
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
    const report = await runDrill(
      await db(),
      { planSource: awkwardPlan, planFile: 'awkward.yaml' },
      drillEngine,
    );
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.targets.map((t) => t.target)).toEqual(['triage', 'statusPage', 'mitigate', 'resolve']);
    expect(breachedOf(report)).toEqual([]);
    expect(report.cadence.map((c) => c.audience)).toEqual(['internal', 'external']);
    expect(report.passed).toBe(true);
  });

  it('creator-platform-bilingual: an Amharic + English update through IC + leadership approval to the status page, email and Slack', async ({
    expect,
  }) => {
    const file = 'creator-platform-bilingual.yaml';
    const { scenario } = loadScenario(readFileSync(`examples/drills/${file}`, 'utf8'), file);
    const report = await runDrill(
      await db(),
      { planSource: planSource('creator-platform.yaml'), planFile: 'creator-platform.yaml', scenario },
      drillEngine,
    );
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.passed).toBe(true);
    // Both external updates waited for the incident commander and a member of leadership.
    const approvals = report.rules.filter((r) => r.rule === 'approvals.external');
    expect(approvals.map((r) => [r.verdict, r.actual])).toEqual([
      ['met', 'abebe as incident-commander +10m, selam as leadership +11m'],
      ['met', 'abebe as incident-commander +47m, selam as leadership +48m'],
    ]);
    expect(report.rules.map((r) => r.rule)).not.toContain('approvals');
    // The first went out at the last approval: the status page in both languages, an email to each
    // subscriber in theirs, and a post in the incident's Slack channel.
    const first = report.deliveries.filter((d) => d.audience === 'external' && d.at_offset === '+11m');
    const am = 'ፈጣሪዎች አዲስ ይዘት መጫን አይችሉም። ችግሩን ለመፍታት እየሰራን ነው።';
    const en = 'Creators cannot upload new content. We are working on a fix.';
    expect(
      first.filter((d) => d.to === 'status page').map((d) => [d.language, d.destination, d.text]),
    ).toEqual([
      ['am', '/status', am],
      ['en', '/status', en],
    ]);
    const emails = first.filter((d) => d.to === 'email');
    expect(emails.map((d) => [d.destination, d.language])).toEqual([
      ['hana@example.com', 'am'],
      ['sam@example.com', 'en'],
    ]);
    expect(first.filter((d) => d.to === 'chat').map((d) => d.destination)).toEqual([
      '#incident-2026-01-07-creator-uploads-are-failing',
    ]);
    expect(first.find((d) => d.to === 'chat')?.text).toContain('Status page update');
    expect(emails[0]?.text).toContain(am);
    expect(emails[1]?.text).toContain(en);
    // Internal updates kept SEV1's 15-minute cadence in the channel.
    expect(report.cadence).toEqual([expect.objectContaining({ audience: 'internal', verdict: 'met' })]);
    expect(
      report.deliveries.filter((d) => d.audience === 'internal').map((d) => [d.to, d.destination]),
    ).toEqual(Array(3).fill(['chat', '#incident-2026-01-07-creator-uploads-are-failing']));
  });

  it('alerting-low-urgency: a low-urgency incident pages its first step only, best effort; a high one escalates', async ({
    expect,
  }) => {
    const file = 'alerting-low-urgency.yaml';
    const { scenario } = loadScenario(readFileSync(`examples/drills/${file}`, 'utf8'), file);
    const report = await runDrill(
      await db(),
      { planSource: planSource('alerting.yaml'), planFile: 'alerting.yaml', scenario },
      drillEngine,
    );
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.rules.filter((r) => r.rule === 'urgency').map((r) => [r.expected, r.verdict])).toEqual([
      ['#1 low: best effort, no escalation', 'met'],
    ]);
    expect(report.rules.find((r) => r.rule === 'urgency')?.actual).toContain('best effort');
    // #1 (low) paged ana only, though unacknowledged past the policy's 10 minutes; #2 (high) reached lee.
    const pages = report.messages.map((m) => [m.to, /^Incident #(\d+)/.exec(m.text)?.[1], m.shadow ?? false]);
    expect(pages).toEqual([
      ['ana', '1', false],
      ['sam', '1', true], // the first step's shadow gets a copy of the best-effort page too
      ['ana', '2', false],
      ['sam', '2', true],
      ['lee', '2', false],
    ]);
    expect(report.passed).toBe(true);
  });

  it('alerting-shadow: the shadow gets a copy marked shadow, cannot acknowledge, and the escalation goes on', async ({
    expect,
  }) => {
    const file = 'alerting-shadow.yaml';
    const { scenario } = loadScenario(readFileSync(`examples/drills/${file}`, 'utf8'), file);
    const report = await runDrill(
      await db(),
      { planSource: planSource('alerting.yaml'), planFile: 'alerting.yaml', scenario },
      drillEngine,
    );
    expect(report.messages.map((m) => [m.to, m.shadow ?? false])).toEqual([
      ['ana', false],
      ['sam', true],
      ['lee', false], // step 2, after the 10 minutes nobody (who could) acknowledged
    ]);
    expect(report.messages[1]?.text).toContain('You are shadowing step 1 of 2 (training)');
    // Sam's acknowledge step was refused (the step is ok: the drill expects it), and changed nothing.
    const refused = report.steps.find((s) => s.at === '3m');
    expect(refused).toMatchObject({ do: 'acknowledge', ok: true });
    expect(refused?.note).toMatch(
      /sam shadows the pages of incident \d+ \(training\): a shadow cannot acknowledge/,
    );
    expect(report.rules.filter((r) => r.rule === 'shadows').map((r) => r.verdict)).toEqual(['met']);
    expect(report.rules.find((r) => r.rule === 'shadows')?.actual).toMatch(/^refused at \+3m; lee paged at /);
    expect(report.targets.find((t) => t.target === 'acknowledge')?.met_offset).toBe('+12m');
    expect(report.passed).toBe(true);
  });

  it('alerting-due-tasks: the owner is reminded before the task is due, and the leads paged once it is overdue', async ({
    expect,
  }) => {
    const file = 'alerting-due-tasks.yaml';
    const { scenario } = loadScenario(readFileSync(`examples/drills/${file}`, 'utf8'), file);
    const report = await runDrill(
      await db(),
      { planSource: planSource('alerting.yaml'), planFile: 'alerting.yaml', scenario },
      drillEngine,
    );
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.rules.filter((r) => r.rule.startsWith('tasks.')).map((r) => [r.rule, r.verdict])).toEqual([
      ['tasks.remindBefore', 'met'],
      ['tasks.escalateTo', 'met'],
    ]);
    // The drill's clock stops at the reminder (remindBefore 10m ahead of the 30m due time).
    const reminders = report.messages.filter((m) => m.to === 'ana' && m.text.includes('is due'));
    expect(reminders.map((m) => m.at_offset)).toEqual(['+20m']);
    const toLee = report.messages.filter((m) => m.to === 'lee');
    expect(toLee).toHaveLength(1);
    expect(toLee[0]?.text).toMatch(/Overdue task .*Email the affected customers/);
    expect(report.passed).toBe(true);
  });

  it('alerting-maintenance: an alert in a suppress window opens no incident; one in a downgrade window pages best effort', async ({
    expect,
  }) => {
    const file = 'alerting-maintenance.yaml';
    const { scenario, errors } = loadScenario(readFileSync(`examples/drills/${file}`, 'utf8'), file);
    expect(errors).toEqual([]);
    const report = await runDrill(
      await db(),
      { planSource: planSource('alerting.yaml'), planFile: 'alerting.yaml', scenario },
      drillEngine,
    );
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.alerts.map((a) => [a.key, (a.routing ?? '').replace(/\d+$/, 'N')])).toEqual([
      ['billing-db-errors', 'suppressed:N'],
      ['billing-slow', 'declared:N'],
    ]);
    expect(report.incidents).toHaveLength(1);
    // Unacknowledged for 15 minutes, past the policy's 10: still only the first step (and its shadow).
    expect(report.messages.map((m) => [m.to, m.shadow ?? false])).toEqual([
      ['ana', false],
      ['sam', true],
    ]);
    expect(report.passed).toBe(true);
  });

  it.for(scenarioFiles)('%s reports the breaches it scripts', async (file, { expect }) => {
    const text = readFileSync(`examples/drills/${file}`, 'utf8');
    const { scenario, errors } = loadScenario(text, file);
    expect(errors).toEqual([]);
    // The first line names the expected breaches: "# expect: breached acknowledge, cadence.internal" (or none)
    const header = /^# expect: breached (.+)$/.exec(text.split('\n')[0] ?? '');
    expect(header, `${file} must start with "# expect: breached …"`).not.toBeNull();
    const expected = (header?.[1] === 'none' ? '' : (header?.[1] ?? ''))
      .split(',')
      .filter((s) => s.trim() !== '')
      .map((s) => s.trim())
      .sort();
    const plan = planOf(file);
    const report = await runDrill(
      await db(),
      {
        planSource: planSource(`${plan}.yaml`),
        planFile: `${plan}.yaml`,
        scenario,
      },
      drillEngine,
    );
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(breachedOf(report)).toEqual(expected);
    // Some targets are met too, and none is left pending: every one reached a verdict.
    const met = [...report.targets, ...report.cadence].filter((t) => t.verdict === 'met');
    expect(met.length).toBeGreaterThan(0);
    expect(report.targets.filter((t) => t.verdict === 'pending')).toEqual([]);
    // A scripted breach fails the drill; "# expect: breached none" scripts none (other rules may still
    // fail it: job-application-platform-ic-chain).
    if (expected.length > 0) expect(report.passed).toBe(false);
    // The engine, ticking on the same virtual clock, recorded the same breaches: each target breach,
    // and an overdue update for exactly the audiences whose cadence the report calls breached.
    expect(report.breaches_recorded.map((b) => b.target).sort()).toEqual(
      report.targets
        .filter((t) => t.verdict === 'breached')
        .map((t) => t.target)
        .sort(),
    );
    expect(overdueAudiences(report)).toEqual(
      report.cadence.filter((c) => c.verdict === 'breached').map((c) => c.audience),
    );
  });
});
