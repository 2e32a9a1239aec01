import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { effectiveRules } from '../workflows/compile-plan-rules.ts';
import { loadPlanVersion } from './get-plan.ts';
import { savePlan } from './save-plan.ts';

const example = (name: string) =>
  readFileSync(new URL(`../../../examples/plans/${name}.yaml`, import.meta.url), 'utf8');

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

describe('plan storage', () => {
  it('stores a new version only when the plan changes; old versions stay readable', async () => {
    const ctx = t.ctx();
    const source = example('minimal');
    const first = await savePlan({ ctx, input: { source, file: 'minimal.yaml' } });
    expect(first).toMatchObject({ name: 'minimal', version: 1, change: 'created' });
    const again = await savePlan({ ctx, input: { source, file: 'minimal.yaml' } });
    expect(again).toMatchObject({ version: 1, change: 'unchanged' });
    // A comment is not a change of the plan.
    const commented = await savePlan({ ctx, input: { source: `# reviewed\n${source}` } });
    expect(commented.change).toBe('unchanged');
    const changed = source.replace('acknowledge: 5m', 'acknowledge: 10m');
    const second = await savePlan({ ctx, input: { source: changed, file: 'minimal.yaml' } });
    expect(second).toMatchObject({ version: 2, change: 'updated' });
    const v1 = await loadPlanVersion(t.db, 'minimal', 1);
    expect(v1.plan.severities[0]?.targets.acknowledge).toBe('5m');
    expect(v1.current_version).toBe(2);
    const current = await loadPlanVersion(t.db, 'minimal');
    expect(current.version).toBe(2);
    expect(current.source).toBe(changed);
  });

  it('reads a version stored before fields existed in today’s shape, with their defaults', async () => {
    const source = example('minimal').replace('name: minimal', 'name: from-an-older-release');
    await savePlan({ ctx: t.ctx(), input: { source } });
    // What an older release stored: no workflows, statusPage, businessHours or targets yet.
    await sql`
      update plan_versions
      set spec = (spec - 'workflows' - 'statusPage' - 'businessHours') #- '{severities,0,targets}'
      where plan_name = 'from-an-older-release'`.execute(t.db);
    const { plan } = await loadPlanVersion(t.db, 'from-an-older-release', 1);
    expect(plan.workflows).toEqual([]);
    expect(plan.statusPage).toEqual({ when: 'always' });
    expect(plan.businessHours).toMatchObject({ timeZone: 'UTC', start: '09:00', end: '17:00' });
    expect(plan.severities[0]?.targets).toEqual({});
    // SEV1 has no targets any more: only SEV2's remain, and SEV1's first update has no rule.
    const rules = effectiveRules(plan);
    expect(rules.find((r) => r.name === 'plan: acknowledge target')?.description).toContain('(SEV2 30m)');
    expect(rules.map((r) => r.name)).not.toContain('plan: firstUpdate target');
  });

  it('stores nothing for an invalid plan or a dry run', async () => {
    const ctx = t.ctx();
    await expect(
      savePlan({ ctx, input: { source: example('minimal').replace('resolve: 4h', 'resolve: soon') } }),
    ).rejects.toMatchObject({ code: 'invalid' });
    const dry = await savePlan({
      ctx,
      input: { source: example('story-generation'), dryRun: true },
    });
    expect(dry).toMatchObject({ name: 'story-generation', version: 1, change: 'created' });
    await expect(loadPlanVersion(t.db, 'story-generation')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('plan routes', () => {
  it('PUT takes YAML and answers 201, then 200 unchanged', async () => {
    const put = () =>
      t.app.inject({
        method: 'PUT',
        url: '/api/v1/plans/creator-platform',
        headers: { ...auth(t.adminToken), 'content-type': 'application/yaml' },
        payload: example('creator-platform'),
      });
    const created = await put();
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'creator-platform', version: 1, change: 'created' });
    const same = await put();
    expect(same.statusCode).toBe(200);
    expect(same.json()).toMatchObject({ version: 1, change: 'unchanged' });
  });

  it('PUT takes the same plan as JSON, and text/plain YAML', async () => {
    const plan = parse(example('job-application-platform')) as Record<string, unknown>;
    const json = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/plans/job-application-platform',
      headers: auth(t.adminToken),
      payload: plan,
    });
    expect(json.statusCode).toBe(201);
    const text = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/plans/job-application-platform',
      headers: { ...auth(t.adminToken), 'content-type': 'text/plain' },
      payload: example('job-application-platform'),
    });
    expect(text.json()).toMatchObject({ version: 1, change: 'unchanged' });
  });

  it('PUT answers 400 with file:line:col details and stores nothing', async () => {
    const bad = example('marketing-platform').replace('acknowledge: 15m', 'acknowledge: soon');
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/plans/marketing-platform',
      headers: { ...auth(t.adminToken), 'content-type': 'application/yaml' },
      payload: bad,
    });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('invalid');
    expect(error.details[0].path).toMatch(/^marketing-platform\.yaml:\d+:\d+$/);
    expect(error.details[0].message).toContain('severities.0.targets.acknowledge: not a duration');
    const line = bad.split('\n').findIndex((l) => l.includes('acknowledge: soon')) + 1;
    expect(error.details[0].path.split(':')[1]).toBe(String(line));
    const get = await t.app.inject({ url: '/api/v1/plans/marketing-platform', headers: auth(t.adminToken) });
    expect(get.statusCode).toBe(404);
  });

  it('PUT refuses a name that differs from the URL and a YAML syntax error', async () => {
    const mismatch = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/plans/other',
      headers: { ...auth(t.adminToken), 'content-type': 'application/yaml' },
      payload: example('minimal'),
    });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().error.details[0].path).toBe('metadata.name');
    const syntax = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/plans/minimal',
      headers: { ...auth(t.adminToken), 'content-type': 'application/yaml' },
      payload: 'apiVersion: tocsin.dev/v1\nkind: [Plan\n',
    });
    expect(syntax.statusCode).toBe(400);
    expect(syntax.json().error.details[0].path).toMatch(/^minimal\.yaml:\d+:\d+$/);
  });

  it('PUT answers 400 to a YAML alias bomb (and any parser error), never 500', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      levels.push(`${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`);
    }
    for (const payload of [
      levels.join('\n'),
      'a: *nowhere\n',
      '%YAML 9.9\n---\na: 1\n',
      'a: !!binary "%%%"\n',
    ]) {
      const res = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/plans/minimal',
        headers: { ...auth(t.adminToken), 'content-type': 'application/yaml' },
        payload,
      });
      expect(res.statusCode, payload.slice(0, 40)).toBe(400);
      expect(res.json().error.details[0].path).toMatch(/^minimal\.yaml:\d+:\d+$/);
    }
  });

  it('refuses a responder with 403 and changes nothing', async () => {
    const token = await t.tokenFor('responder');
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/plans/story-generation',
      headers: { ...auth(token), 'content-type': 'application/yaml' },
      payload: example('story-generation'),
    });
    expect(res.statusCode).toBe(403);
    const read = await t.app.inject({ url: '/api/v1/plans', headers: auth(token) });
    expect(read.statusCode).toBe(200);
    expect(read.json().plans.map((p: { name: string }) => p.name)).not.toContain('story-generation');
  });

  it('GET lists plans, shows a version and lists versions', async () => {
    const list = await t.app.inject({ url: '/api/v1/plans', headers: auth(t.adminToken) });
    expect(list.json().plans).toContainEqual(
      expect.objectContaining({ name: 'minimal', current_version: 2, severities: ['SEV1', 'SEV2'] }),
    );
    const v1 = await t.app.inject({ url: '/api/v1/plans/minimal?version=1', headers: auth(t.adminToken) });
    expect(v1.statusCode).toBe(200);
    expect(v1.json()).toMatchObject({ name: 'minimal', version: 1, current_version: 2 });
    expect(v1.json().plan.severities[0].targets.acknowledge).toBe('5m');
    const versions = await t.app.inject({
      url: '/api/v1/plans/minimal/versions',
      headers: auth(t.adminToken),
    });
    expect(
      versions.json().versions.map((v: { version: number; current: boolean }) => [v.version, v.current]),
    ).toEqual([
      [2, true],
      [1, false],
    ]);
    const missing = await t.app.inject({
      url: '/api/v1/plans/minimal?version=9',
      headers: auth(t.adminToken),
    });
    expect(missing.statusCode).toBe(404);
    const bad = await t.app.inject({ url: '/api/v1/plans/minimal?version=abc', headers: auth(t.adminToken) });
    expect(bad.statusCode).toBe(400);
    const none = await t.app.inject({ url: '/api/v1/plans/nope/versions', headers: auth(t.adminToken) });
    expect(none.statusCode).toBe(404);
  });

  it('describes the plan routes in the OpenAPI document', async () => {
    const res = await t.app.inject({ url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toEqual(
      expect.arrayContaining(['/api/v1/plans', '/api/v1/plans/{name}', '/api/v1/plans/{name}/versions']),
    );
  });

  it('serves the JSON Schema without a token', async () => {
    const res = await t.app.inject({ url: '/api/v1/plans/schema.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ type: 'object', required: expect.arrayContaining(['severities']) });
  });
});

describe('tocsin plan show|versions against a server', () => {
  it('shows a stored version readably and lists versions as JSON', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const bin = new URL('../../../bin/tocsin.js', import.meta.url).pathname;
    const tocsin = (...args: string[]) =>
      promisify(execFile)(process.execPath, [bin, 'plan', ...args, '--url', address], {
        env: { ...process.env, TOCSIN_TOKEN: t.adminToken },
      });
    const shown = await tocsin('show', 'minimal', '--version', '1');
    expect(shown.stdout).toContain('Plan minimal version 1 of 2');
    expect(shown.stdout).toMatch(/SEV1 +Critical +24\/7 +5m/);
    expect(shown.stdout).toMatch(/investigating → mitigated \(monitoring\) → resolved/);
    const versions = await tocsin('versions', 'minimal', '--json');
    expect(JSON.parse(versions.stdout).map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });
});
