import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatSourceError } from '../../lib/yaml-source.ts';
import { loadPlan, statusPageStateOf, targetDurations } from './plan.ts';
import { chatRouteGaps, planChatChannels } from './recipient-gaps.ts';

const EXAMPLES = new URL('../../../examples/plans/', import.meta.url);
const exampleFiles = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));

/** A small valid plan; tests replace one line (or append) to make it wrong in one way. */
const BASE = `apiVersion: tocsin.dev/v1
kind: Plan
metadata:
  name: test-plan
languages: [en, am]
severities:
  - id: SEV1
    title: Critical
    targets: { acknowledge: 5m, resolve: 4h }
  - id: SEV2
    title: Major
roles:
  - id: incident-commander
    title: Incident Commander
groups:
  - id: leadership
    title: Leadership
    leadership: true
lifecycle:
  states:
    - id: investigating
    - id: resolved
templates:
  - id: status
    kind: external
    body:
      en: "{title} is being investigated"
      am: "{title} በምርመራ ላይ ነው"
workflows:
  - name: page leadership
    when: incident.declared
    if: { severity: SEV1 }
    then:
      - notify: { group: leadership, template: status }
`;

function errorsOf(text: string): string[] {
  return loadPlan(text, 'p.yaml').errors.map(formatSourceError);
}

function replaceLine(line: number, replacement: string): string {
  const lines = BASE.split('\n');
  lines[line - 1] = replacement;
  return lines.join('\n');
}

describe('example plans', () => {
  it('holds the five seed plans, three public policies, the minimal one and the alerting one', () => {
    expect(exampleFiles.sort()).toEqual([
      'alerting.yaml',
      'atlassian-handbook.yaml',
      'creator-platform.yaml',
      'google-sre.yaml',
      'job-application-platform.yaml',
      'marketing-platform.yaml',
      'microservice-platform.yaml',
      'minimal.yaml',
      'nist-800-61.yaml',
      'story-generation.yaml',
    ]);
  });

  it.each(exampleFiles)('%s validates', (file) => {
    const text = readFileSync(new URL(file, EXAMPLES), 'utf8');
    const loaded = loadPlan(text, file);
    expect(loaded.errors.map(formatSourceError)).toEqual([]);
    expect(loaded.plan?.metadata.name).toBe(file.replace(/\.yaml$/, ''));
    // Each plan names its source: a seed document, or a public policy with its docs/policies page
    // (Tocsin's own starting points excepted).
    if (!['minimal.yaml', 'alerting.yaml'].includes(file)) {
      const head = text.split('\n').slice(0, 4).join('\n');
      expect(head).toMatch(/^# Seed document 00\d \(seeds\/00\d_[0-9a-f]+\.txt\)|docs\/policies\/[\w-]+\.md/);
    }
  });

  it('keeps the seed rules as data', () => {
    const load = (f: string) => {
      const plan = loadPlan(readFileSync(new URL(f, EXAMPLES), 'utf8'), f).plan;
      if (!plan) throw new Error(`${f} does not load`);
      return plan;
    };
    const creator = load('creator-platform.yaml');
    expect(creator.languages).toEqual(['am', 'en']);
    expect(creator.approvals.external).toEqual(['incident-commander', 'leadership']);
    expect(creator.channel?.name).toBe('incident-{date}-{slug}');
    expect(creator.severities.map((s) => s.response.hours)).toEqual([
      '24/7',
      'business-hours-best-effort',
      'business-hours',
    ]);
    for (const t of creator.templates.filter((x) => x.kind === 'external')) {
      expect(Object.keys(t.body).sort()).toEqual(['am', 'en']);
      expect(t.body.am).toMatch(/[\u1200-\u137f]/); // Ethiopic script
    }
    const jobs = load('job-application-platform.yaml');
    expect(jobs.roles[0]?.fallback).toEqual(['secondary-on-call', 'engineering-manager', 'cto']);
    expect(jobs.severities.map((s) => s.page?.channels)).toEqual([
      ['phone', 'chat'],
      ['push', 'chat'],
      ['chat'],
      ['email'],
    ]);
    expect(jobs.verification?.checks.filter((c) => c.below !== undefined).map((c) => c.below)).toEqual([
      0.1, 500,
    ]);
    expect(jobs.goals?.maxPerQuarter).toEqual({ P0: 2 });
    const marketing = load('marketing-platform.yaml');
    expect(marketing.verification?.monitorFor).toBe('15m');
    expect(marketing.automatedRecovery?.enabled).toBe(true);
    expect(marketing.mitigation?.plan?.include).toEqual(['steps', 'risk', 'rollback', 'consensus']);
    expect(marketing.severities.map((s) => s.cadence.internal)).toEqual(['30m', '1h', '4h', '1d']);
    expect(marketing.severities.map((s) => s.postmortem.due)).toEqual(['48h', '48h', '1w', '1w']);
    const story = load('story-generation.yaml');
    expect(story.escalation?.tiers.map((t) => [t.id, t.after])).toEqual([
      ['L1', '0m'],
      ['L2', '30m'],
      ['L3', '1h'],
      ['L4', '2h'],
    ]);
    expect(story.lifecycle.states.map((s) => statusPageStateOf(story, s.id))).toEqual([
      'investigating',
      'identified',
      'monitoring',
      'resolved',
    ]);
    expect(targetDurations(story, story.severities[0] as (typeof story.severities)[0])).toMatchObject({
      acknowledge: 300_000,
      triage: 900_000,
    });
    // The source document's emoji were double-encoded; none of that may leak into the plan.
    expect(readFileSync(new URL('story-generation.yaml', EXAMPLES), 'utf8')).not.toMatch(/Ã|ð|Â/);
  });
});

describe('plan errors point at file:line:col', () => {
  it('accepts the base plan', () => {
    expect(errorsOf(BASE)).toEqual([]);
  });

  it('reports an unknown key at the key', () => {
    expect(errorsOf(replaceLine(9, '    targets: { acknowledge: 5m, resolv: 4h }'))).toEqual([
      'p.yaml:9:33: severities.0.targets.resolv: unknown key "resolv"',
    ]);
    expect(errorsOf(replaceLine(11, '    titel: Major'))).toEqual([
      'p.yaml:10:5: severities.1.title: Invalid input: expected string, received undefined',
      'p.yaml:11:5: severities.1.titel: unknown key "titel"',
    ]);
  });

  it('reports a bad duration at the value', () => {
    expect(errorsOf(replaceLine(9, '    targets: { acknowledge: 5 minutes }'))).toEqual([
      'p.yaml:9:29: severities.0.targets.acknowledge: not a duration (use 90s, 15m, 4h, 2d, 1w; business time: 30bm, 4bh, 2bd or "4 business hours")',
    ]);
  });

  it('reports business time in a plan without businessHours at each value', () => {
    const text = `${replaceLine(9, '    targets: { acknowledge: 4bh, resolve: 2 business days }')}
  - name: nudge
    when: { elapsed: 1bd, since: acknowledged }
    then: [{ addTask: { title: Write the summary, due: 30bm } }]
`;
    const why =
      'counts business time, but the plan sets no businessHours (add businessHours: timeZone, days, start, end, holidays)';
    expect(errorsOf(text)).toEqual([
      `p.yaml:9:29: severities.0.targets.acknowledge: "4bh" ${why}`,
      `p.yaml:9:43: severities.0.targets.resolve: "2 business days" ${why}`,
      `p.yaml:37:22: workflows.1.when.elapsed: "1bd" ${why}`,
      `p.yaml:38:56: workflows.1.then.0.addTask.due: "30bm" ${why}`,
    ]);
    // With business hours written, the same plan is valid.
    const withHours = `${text}businessHours: { timeZone: Europe/Berlin, holidays: [2026-12-25] }\n`;
    expect(errorsOf(withHours)).toEqual([]);
  });

  it('reports a cadence by state naming an unknown state and a cadence by age out of order', () => {
    const text = replaceLine(
      9,
      '    cadence: { internal: 30m, byState: { watching: { internal: none } }, byAge: [{ after: 2h, internal: 1h }, { after: 1h, internal: nope }] }',
    );
    expect(errorsOf(text)).toEqual([
      'p.yaml:9:134: severities.0.cadence.byAge.1.internal: not a duration (use 15m, 1h, 4h) or none',
    ]);
    expect(errorsOf(text.replace('internal: nope', 'internal: 2h'))).toEqual([
      'p.yaml:9:52: severities.0.cadence.byState.watching: undefined state "watching"',
      'p.yaml:9:120: severities.0.cadence.byAge.1.after: must be later than the step before (2h)',
    ]);
  });

  it('reports a business duration with a unit it does not know', () => {
    expect(errorsOf(replaceLine(9, '    targets: { acknowledge: 4bw }'))).toEqual([
      'p.yaml:9:29: severities.0.targets.acknowledge: not a duration (use 90s, 15m, 4h, 2d, 1w; business time: 30bm, 4bh, 2bd or "4 business hours")',
    ]);
  });

  it('reports a bad lifecycle.reopenWithin at the value', () => {
    const plan = BASE.replace('    - id: resolved\n', '    - id: resolved\n  reopenWithin: half an hour\n');
    expect(errorsOf(plan)).toEqual([
      'p.yaml:23:17: lifecycle.reopenWithin: not a duration (use 90s, 15m, 4h, 2d, 1w)',
    ]);
    expect(errorsOf(plan.replace('half an hour', '30m'))).toEqual([]);
  });

  it('reports undefined severities, roles, groups, states and templates', () => {
    expect(errorsOf(replaceLine(32, '    if: { severity: SEV9 }'))).toEqual([
      'p.yaml:32:21: workflows.0.if.severity: undefined severity "SEV9"',
    ]);
    expect(errorsOf(replaceLine(34, '      - notify: { group: board, template: status }'))).toEqual([
      'p.yaml:34:26: workflows.0.then.0.notify.group: undefined group "board"',
    ]);
    expect(errorsOf(replaceLine(34, '      - notify: { group: leadership, template: nope }'))).toEqual([
      'p.yaml:34:48: workflows.0.then.0.notify.template: undefined template "nope"',
    ]);
    expect(errorsOf(`${BASE}approvals: { external: [incident-commander, ceo] }\n`)).toEqual([
      'p.yaml:35:45: approvals.external.1: undefined group or role "ceo"',
    ]);
    expect(
      errorsOf(BASE.replace('    kind: external\n', '    kind: external\n    state: monitoring\n')),
    ).toEqual(['p.yaml:26:12: templates.0.state: undefined state "monitoring"']);
    expect(errorsOf(`${BASE}goals: { maxPerQuarter: { SEV3: 1 } }\n`)).toEqual([
      'p.yaml:35:33: goals.maxPerQuarter.SEV3: undefined severity "SEV3"',
    ]);
  });

  it('reports a duplicate id at the second one', () => {
    expect(errorsOf(replaceLine(10, '  - id: SEV1'))).toEqual([
      'p.yaml:10:9: severities.1.id: duplicate severity id "SEV1"',
    ]);
  });

  it('reports a duplicate workflow name (its firings are keyed by name)', () => {
    const twice = `${BASE}  - name: page leadership\n    when: incident.resolved\n    then: [{ note: done }]\n`;
    expect(errorsOf(twice)).toEqual([
      'p.yaml:35:11: workflows.1.name: duplicate workflow name "page leadership"',
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const errors = errorsOf(replaceLine(9, '    targets: { acknowledge: 5m'));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^p\.yaml:(9|10):\d+: /);
    expect(errorsOf('a: 1\na: 2\n')[0]).toMatch(/^p\.yaml:2:1: .*unique/i);
  });

  it('reports an external template without every plan language', () => {
    expect(errorsOf(replaceLine(28, '      fr: "{title}"'))).toEqual([
      'p.yaml:27:7: templates.0.body: external template has no text in am',
      'p.yaml:28:11: templates.0.body.fr: language "fr" is not in the plan\'s languages',
    ]);
  });

  it('reports unknown placeholders', () => {
    expect(errorsOf(replaceLine(27, '      en: "{titel} is being investigated"'))[0]).toMatch(
      /^p\.yaml:27:12: templates\.0\.body\.en: unknown placeholder \{titel\} \(did you mean \{title\}\?\)/,
    );
  });

  it('explains a workflow action that fits no shape', () => {
    expect(errorsOf(replaceLine(34, '      - notfy: { group: leadership }'))).toEqual([
      expect.stringMatching(
        /^p\.yaml:34:9: workflows\.0\.then\.0\.notfy: unknown key "notfy"; expected one of notify, page, post, /,
      ),
    ]);
    expect(errorsOf(replaceLine(34, '      - notify: { group: leadership, templat: status }'))).toEqual([
      'p.yaml:34:38: workflows.0.then.0.notify.templat: unknown key "templat"',
    ]);
  });

  it('reports the plan of a multi-document file and an empty one', () => {
    expect(errorsOf(`kind: Team\nname: x\n---\n${BASE}`)).toEqual([]);
    expect(errorsOf('')).toEqual(['p.yaml:1:1: the file holds no plan document']);
  });
});

describe('stored-only fields', () => {
  const warningsOf = (text: string) => (loadPlan(text, 'p.yaml').warnings ?? []).map(formatSourceError);

  it('are warned about at their key, once per field, and acted-on or text fields are not', () => {
    expect(warningsOf(BASE)).toEqual([]);
    // assignTo and states[].by act now: no warning. rotation and readiness are kept, not acted on.
    const text = `${BASE.replace('    title: Incident Commander\n', '    title: Incident Commander\n    assignTo: leadership\n    rotation: weekly\n').replace('    - id: investigating\n', '    - id: investigating\n      by: [incident-commander]\n')}readiness: [rota trained]\n`;
    expect(loadPlan(text, 'p.yaml').errors).toEqual([]);
    expect(warningsOf(text)).toEqual([
      'p.yaml:16:5: warning: roles.0.rotation is stored only: Tocsin keeps it but does not act on it yet',
      'p.yaml:38:1: warning: readiness is stored only: Tocsin keeps it but does not act on it yet',
    ]);
  });
});

describe('recipients that reach nobody', () => {
  const warningsOf = (text: string) => (loadPlan(text, 'p.yaml').warnings ?? []).map(formatSourceError);
  const withGroups = (groups: string) =>
    BASE.replace('    leadership: true\n', `    leadership: true\n${groups}`);

  it('warns, at the group, about groups of no one Tocsin can message', () => {
    const text = withGroups(
      '  - { id: customers, title: Customers, customers: all }\n' +
        '  - { id: execs, title: Executives, chat: "@execs" }\n' +
        '  - { id: ops, title: Ops, chat: "#ops" }\n' +
        '  - { id: affected, title: Affected users, customers: affected }\n',
    );
    // customers: affected names the addresses recorded on the incident (POST …/affected-users).
    expect(warningsOf(text)).toEqual([
      'p.yaml:19:11: warning: groups.1.id: group customers names no one Tocsin can message (customers are reached through the status page only): pages and messages to it reach nobody',
      'p.yaml:20:11: warning: groups.2.id: group execs names no one Tocsin can message (chat @execs is a handle, not a #channel): pages and messages to it reach nobody',
    ]);
  });

  it('warns about chat channels no configuration routes', () => {
    const text = `${withGroups('  - { id: ops, title: Ops, chat: "#ops" }\n')}  - name: tell status\n    when: incident.resolved\n    then: [{ post: { channel: "#status" } }, { post: { channel: "{incident_channel}" } }]\n`;
    const { plan } = loadPlan(text, 'p.yaml');
    if (!plan) throw new Error('the plan is valid');
    expect(planChatChannels(plan).map((c) => `${c.channel} ${c.path.join('.')}`)).toEqual([
      '#ops groups.1.chat',
      '#status workflows.1.then.0.post.channel',
    ]);
    expect(chatRouteGaps(plan, { channels: new Set(), slackBot: false })).toEqual([
      'plan test-plan: no chat provider is configured (TOCSIN_CHAT_WEBHOOKS, TOCSIN_SLACK_BOT_TOKEN): posts to #ops, #status reach nobody (groups.1.chat, workflows.1.then.0.post.channel)',
    ]);
    expect(chatRouteGaps(plan, { channels: new Set(['#ops']), slackBot: false })).toEqual([
      'plan test-plan: no route for chat #status (not in TOCSIN_CHAT_WEBHOOKS, no TOCSIN_SLACK_BOT_TOKEN): posts to it reach nobody (workflows.1.then.0.post.channel)',
    ]);
    expect(chatRouteGaps(plan, { channels: new Set(['#ops', '#status']), slackBot: false })).toEqual([]);
    // A Slack bot posts to any channel by name.
    expect(chatRouteGaps(plan, { channels: new Set(), slackBot: true })).toEqual([]);
  });
});

describe('tocsin plan validate', () => {
  const run = promisify(execFile);
  const bin = new URL('../../../bin/tocsin.js', import.meta.url).pathname;
  const tocsin = (...args: string[]) =>
    run(process.execPath, [bin, 'plan', 'validate', ...args], {
      env: { ...process.env, NO_COLOR: '1' },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('exits 0 with one OK line per valid file', async () => {
    const r = await tocsin(new URL('.', EXAMPLES).pathname);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(exampleFiles.length);
    expect(r.stdout).toMatch(/creator-platform\.yaml: OK \(plan creator-platform: 3 severities/);
    // Valid plans that use stored-only fields: a warning each on stderr, still exit 0.
    expect(r.stderr).toMatch(
      /creator-platform\.yaml:\d+:\d+: warning: \S+ is stored only: Tocsin keeps it but does not act on it yet/,
    );
    expect(
      r.stderr
        .trim()
        .split('\n')
        .every((l) => / warning: .* (is stored only|reach nobody)/.test(l)),
    ).toBe(true);
  });

  it('exits 1 and prints file:line:col for every error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-plan-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, replaceLine(9, '    targets: { acknowledge: 5 minutes, resolv: 4h }'));
    const r = await tocsin(bad, join(dir, 'missing.yaml'));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${bad}:9:29: severities.0.targets.acknowledge: not a duration (use 90s, 15m, 4h, 2d, 1w; business time: 30bm, 4bh, 2bd or "4 business hours")`,
      `${bad}:9:40: severities.0.targets.resolv: unknown key "resolv"`,
      `${join(dir, 'missing.yaml')}:1:1: no such file`,
    ]);
    const json = await tocsin('--json', bad);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject([
      { file: bad, ok: false, errors: [{ line: 9, col: 29 }, {}] },
    ]);
  });
});

describe('YAML hints for unquoted values in { … }', () => {
  const plan = (action: string) => `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: hints }
severities: [{ id: SEV1, title: Critical }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
workflows:
  - name: a
    when: incident.declared
    then: [{ ${action} }]
`;
  const errors = (action: string) =>
    loadPlan(plan(action), 'h.yaml').errors.map((e) => `${e.line}:${e.col}: ${e.message}`);

  it('a "," cut the value: the stray key says to quote it', () => {
    expect(errors('note: Hello, world')).toEqual([
      expect.stringMatching(
        /^9:27: workflows\.0\.then\.0\.world: unknown key "world"; a "," ends a value .* quote that value$/,
      ),
    ]);
  });

  it('a ":" or a "{" inside the value: quote this value, one error for the line', () => {
    expect(errors('note: Time: 10:00')).toEqual([
      expect.stringMatching(/^9:20: a ":" inside .* quote this value/),
    ]);
    expect(errors('note: a {title} b')).toEqual([
      expect.stringMatching(/^9:22: a "\{" or "\[" inside .* quote this value/),
    ]);
  });

  it('quoted, all three are fine', () => {
    expect(errors('note: "Hello, world. Time: 10:00. {title}"')).toEqual([]);
  });
});
