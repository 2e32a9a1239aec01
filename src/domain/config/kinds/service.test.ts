import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type TestApp, testApp } from '../../../../test/helpers.ts';
import { Invalid } from '../../../errors.ts';
import { SYSTEM_ACTOR } from '../../context.ts';
import { createIntegration } from '../../services/create-integration.ts';
import { type ApplyResult, applyDocuments } from '../apply-documents.ts';
import type { ConfigSource } from '../documents.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const root = join(import.meta.dirname, '../../../..');
const PD_KEY = 'pd'.padEnd(32, '0');
const CI_KEY = 'ci'.padEnd(32, '1');
process.env.TOCSIN_TEST_CI_KEY = CI_KEY;

function planText(name: string): string {
  const plan = parse(readFileSync(join(root, 'examples/plans/minimal.yaml'), 'utf8')) as {
    metadata: { name: string };
  };
  plan.metadata.name = name;
  return stringify(plan);
}

const teamText = `apiVersion: tocsin.dev/v1
kind: Team
metadata: { name: svc-team }
spec: { members: [] }
---
apiVersion: tocsin.dev/v1
kind: EscalationPolicy
metadata: { name: primary }
spec: { steps: [{ teams: [svc-team] }] }
`;

const service = (
  o: { rules?: string; integrations?: string; team?: string } = {},
) => `apiVersion: tocsin.dev/v1
kind: Service
metadata:
  name: payments
  description: Card payments
spec:
  team: ${o.team ?? 'svc-team'}
  plan: svc-plan
  escalationPolicy: primary
  rules: ${o.rules ?? '{ severity: { critical: SEV1, error: SEV2 }, grace: 5m, groupWindow: 30m, autoResolve: 4h }'}
  integrations:
${
  o.integrations ??
  `    - { name: prometheus, type: alertmanager }
    - { name: pd, type: pagerduty, key: ${PD_KEY} }
    - { name: ci, type: webhook, keyFromEnv: TOCSIN_TEST_CI_KEY }
    - { name: nightly-backup, type: heartbeat, config: { interval: 1d, grace: 1h } }`
}
`;

function apply(sources: ConfigSource[], dryRun = false): Promise<ApplyResult> {
  return applyDocuments({ ctx: t.ctx(SYSTEM_ACTOR), input: { sources, dryRun } });
}

async function applyErrors(sources: ConfigSource[]): Promise<string[]> {
  const error = await apply(sources).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Invalid);
  return (error as Invalid).details.map((d) => `${d.path}: ${d.message}`);
}

/** `file:line:col` of the first line containing `text` (col: where the text starts). */
function at(file: string, content: string, text: string, col?: number): string {
  const lines = content.split('\n');
  const line = lines.findIndex((l) => l.includes(text));
  return `${file}:${line + 1}:${col ?? (lines[line] ?? '').indexOf(text) + 1}`;
}

async function integrations() {
  return t.db
    .selectFrom('integrations')
    .innerJoin('services', 'services.id', 'integrations.service_id')
    .select(['integrations.name', 'type', 'key', 'config'])
    .where('services.name', '=', 'payments')
    .orderBy('integrations.name')
    .execute();
}

const auditCount = async () =>
  Number(
    (
      await t.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('kind: Service', () => {
  it('creates a service and its integrations after the team and plan it names, whatever the order', async () => {
    const { results } = await apply([
      { file: 'service.yaml', content: service() },
      { file: 'rest.yaml', content: `${planText('svc-plan')}---\n${teamText}` },
    ]);
    expect(results.map((r) => [r.kind, r.name, r.change])).toEqual([
      ['Team', 'svc-team', 'created'],
      ['EscalationPolicy', 'primary', 'created'],
      ['Plan', 'svc-plan', 'created'],
      ['Service', 'payments', 'created'],
    ]);
    const stored = await t.db
      .selectFrom('services')
      .selectAll()
      .where('name', '=', 'payments')
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      description: 'Card payments',
      plan_name: 'svc-plan',
      escalation_policy: 'primary',
      rules: {
        severity: { critical: 'SEV1', error: 'SEV2' },
        grace: '5m',
        groupWindow: '30m',
        autoResolve: '4h',
      },
    });
    const rows = await integrations();
    expect(rows.map((r) => [r.name, r.type, r.config])).toEqual([
      ['ci', 'webhook', {}],
      ['nightly-backup', 'heartbeat', { interval: '1d', grace: '1h' }],
      ['pd', 'pagerduty', {}],
      ['prometheus', 'alertmanager', {}],
    ]);
    const keys = Object.fromEntries(rows.map((r) => [r.name, r.key]));
    expect(keys.pd).toBe(PD_KEY);
    expect(keys.ci).toBe(CI_KEY);
    expect(keys.prometheus).toMatch(/^[0-9a-f]{32}$/);
  });

  it('changes nothing the second time and keeps the generated keys', async () => {
    const before = await integrations();
    const audits = await auditCount();
    const { results } = await apply([
      { file: 'service.yaml', content: service() },
      { file: 'rest.yaml', content: `${planText('svc-plan')}---\n${teamText}` },
    ]);
    expect(results.map((r) => r.change)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(await integrations()).toEqual(before);
    expect(await auditCount()).toBe(audits);
  });

  it('reports changed fields, changed keys without their value, and integrations not in the file', async () => {
    await createIntegration({
      ctx: t.ctx(),
      input: { service: 'payments', type: 'grafana', name: 'from-the-api' },
    });
    const newKey = 'pd'.padEnd(32, '9');
    const content = service({
      rules: '{ severity: { critical: SEV1, error: SEV2 }, grace: 5m, groupWindow: 30m, autoResolve: 2h }',
      integrations: `    - { name: prometheus, type: alertmanager }
    - { name: pd, type: pagerduty, key: ${newKey} }
    - { name: ci, type: webhook, keyFromEnv: TOCSIN_TEST_CI_KEY }
    - { name: nightly-backup, type: heartbeat, config: { interval: 12h, grace: 1h } }
    - { name: datadog, type: datadog }`,
    });
    const dry = await apply([{ file: 'service.yaml', content }], true);
    expect(dry.applied).toBe(false);
    expect((await integrations()).find((i) => i.name === 'pd')?.key).toBe(PD_KEY);

    const { results } = await apply([{ file: 'service.yaml', content }]);
    expect(results).toEqual([
      {
        kind: 'Service',
        name: 'payments',
        file: 'service.yaml',
        change: 'updated',
        diff: [
          { path: 'integrations.datadog', after: { type: 'datadog', config: {} } },
          { path: 'integrations.nightly-backup.config.interval', before: '1d', after: '12h' },
          { path: 'rules.autoResolve', before: '4h', after: '2h' },
          { path: 'integrations.pd.key', before: '(secret)', after: 'key changed' },
          { path: 'integrations.from-the-api', before: 'grafana', after: 'not in file: left alone' },
        ],
      },
    ]);
    expect(dry.results).toEqual(results);
    expect(JSON.stringify(results)).not.toContain(newKey);
    const rows = await integrations();
    expect(rows.map((r) => r.name)).toEqual([
      'ci',
      'datadog',
      'from-the-api',
      'nightly-backup',
      'pd',
      'prometheus',
    ]);
    expect(rows.find((r) => r.name === 'pd')?.key).toBe(newKey);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'after'])
      .where('action', '=', 'integration.updated')
      .execute();
    expect(JSON.stringify(audit)).not.toContain(newKey);
  });

  it('reports schema errors at their line and column', async () => {
    const content = service({
      integrations: `    - { name: leak, type: webhook, keyFromEnv: DATABASE_URL }
    - { type: alertmanager, colour: red }`,
    });
    const f = 'schema.yaml';
    expect(await applyErrors([{ file: f, content }])).toEqual([
      `${at(f, content, 'DATABASE_URL')}: spec.integrations.0.keyFromEnv: name an environment variable TOCSIN_…KEY`,
      `${at(f, content, 'colour')}: spec.integrations.1.colour: unknown key "colour"`,
    ]);
  });

  it('reports missing variables, bad configs, both keys and duplicates at their place, applying nothing', async () => {
    const content = service({
      integrations: `    - { name: ci, type: webhook, keyFromEnv: TOCSIN_MISSING_KEY }
    - { name: beat, type: heartbeat }
    - { name: beat2, type: heartbeat, config: { interval: soon, every: 1d } }
    - { name: both, type: pagerduty, key: ${PD_KEY}, keyFromEnv: TOCSIN_TEST_CI_KEY }
    - { name: ci, type: grafana }`,
    });
    const f = 'bad.yaml';
    expect(await applyErrors([{ file: f, content }])).toEqual([
      `${at(f, content, 'TOCSIN_MISSING_KEY')}: environment variable TOCSIN_MISSING_KEY is not set`,
      `${at(f, content, '{ name: beat, ')}: spec.integrations.1.config.interval: required`,
      `${at(f, content, 'soon')}: spec.integrations.2.config.interval: not a duration (use 90s, 15m, 4h, 2d, 1w)`,
      `${at(f, content, '1d } }')}: spec.integrations.2.config.every: unknown field`,
      `${at(f, content, 'TOCSIN_TEST_CI_KEY')}: give key or keyFromEnv, not both`,
      `${at(f, content, 'ci, type: grafana')}: integration "ci" is listed twice`,
    ]);
    expect((await integrations()).map((i) => i.name)).not.toContain('beat');
  });

  it('places store errors (unknown team, a key another service holds) in the document', async () => {
    await apply([
      {
        file: 'other.yaml',
        content: service()
          .replace('name: payments', 'name: refunds')
          .replace(/integrations:[\s\S]*$/, 'integrations: []\n'),
      },
    ]);
    const content = service({
      team: 'ghosts',
      integrations: `    - { name: prometheus, type: alertmanager }`,
    }).replace('name: payments', 'name: refunds');
    expect(await applyErrors([{ file: 'team.yaml', content }])).toEqual([
      `${at('team.yaml', content, 'ghosts')}: Service "refunds": team: no team "ghosts"`,
    ]);
    const taken = service({
      integrations: `    - { name: pd, type: pagerduty, key: ${'pd'.padEnd(32, '9')} }`,
    }).replace('name: payments', 'name: refunds');
    expect(await applyErrors([{ file: 'key.yaml', content: taken }])).toEqual([
      `${at('key.yaml', taken, 'pd'.padEnd(32, '9'))}: Service "refunds": integrations.0.key: already the key of integration pd of service payments`,
    ]);
  });

  it('sets up the demo services from examples/setup and examples/plans', async () => {
    const { readSources } = await import('../../../cli/apply.ts');
    const sources = readSources([join(root, 'examples/setup'), join(root, 'examples/plans')]);
    const first = await apply(sources);
    const services = first.results.filter((r) => r.kind === 'Service');
    expect(services.map((r) => [r.name, r.change])).toEqual([
      ['creator-api', 'created'],
      ['job-board', 'created'],
      ['marketing-api', 'created'],
      ['checkout', 'created'],
      ['story-api', 'created'],
      ['tocsin', 'created'],
    ]);
    const second = await apply(sources);
    expect(second.results.filter((r) => r.change !== 'unchanged')).toEqual([]);
  });
});
