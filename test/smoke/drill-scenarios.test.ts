import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { loadScenario } from '../../src/domain/drills/report.ts';
import { breachedOf, drillScenario, overdueAudiences, scenarioFiles } from './drill-cases.ts';

// Each breach scenario under examples/drills/ reports exactly the targets it is written to miss, and
// the feature scenarios do what they script. Each drill runs on its own fresh database, several at a
// time (every plan's default drills are drills.test.ts's).

// Drills run several at a time, so each one's wall time includes the others' turns, and scenarios
// that span a weekend (business time) tick the engine for days of virtual time: on a busy 2-core
// machine one took over 120 s. The bound guards against a hang only (nothing here measures time).
describe.concurrent('drill scenarios of the example plans', { timeout: 600_000 }, () => {
  it('creator-platform-bilingual: an Amharic + English update through IC + leadership approval to the status page, email and Slack', async ({
    expect,
  }) => {
    const report = await drillScenario('creator-platform-bilingual.yaml');
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
    const report = await drillScenario('alerting-low-urgency.yaml');
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
    const report = await drillScenario('alerting-shadow.yaml');
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
    const report = await drillScenario('alerting-due-tasks.yaml');
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
    const report = await drillScenario('alerting-maintenance.yaml');
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
    expect(loadScenario(text, file).errors).toEqual([]);
    // The first line names the expected breaches: "# expect: breached acknowledge, cadence.internal" (or none)
    const header = /^# expect: breached (.+)$/.exec(text.split('\n')[0] ?? '');
    expect(header, `${file} must start with "# expect: breached …"`).not.toBeNull();
    const expected = (header?.[1] === 'none' ? '' : (header?.[1] ?? ''))
      .split(',')
      .filter((s) => s.trim() !== '')
      .map((s) => s.trim())
      .sort();
    const report = await drillScenario(file);
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
