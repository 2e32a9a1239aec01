import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../test/cli-harness.ts';
import { type TestApp, testApp } from '../../test/helpers.ts';
import { createIntegration } from '../domain/services/create-integration.ts';
import { saveService } from '../domain/services/save-service.ts';

// `tocsin change|check|vendor …` as a script runs them: the real binary against a real server.
let t: TestApp;
let tocsin: Awaited<ReturnType<typeof cliAgainst>>;

beforeAll(async () => {
  t = await testApp();
  tocsin = await cliAgainst(t);
  await saveService({ ctx: t.ctx(), input: { service: { name: 'web' }, mode: 'create' } });
});
afterAll(() => t.close());

async function json<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const r = await tocsin(...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

describe('tocsin change, check and vendor', () => {
  it('list changes of a service', async () => {
    const { key } = await createIntegration({ ctx: t.ctx(), input: { service: 'web', type: 'deploy' } });
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/integrations/deploy/${key}`,
      payload: { version: 'v2.0.1', environment: 'production' },
    });
    const changes = await json<{ summary: string }[]>('change', 'list', '--service', 'web');
    expect(changes.map((c) => c.summary)).toEqual(['Deployed web v2.0.1 to production']);
  });

  it('create, list and delete checks and vendor watches', async () => {
    const check = await json(
      'check',
      'create',
      'web-health',
      '--service',
      'web',
      '--target',
      'https://web.example/health',
      '--interval',
      '30s',
      '--expect-status',
      '204',
    );
    expect(check).toMatchObject({
      name: 'web-health',
      url: 'https://web.example/health',
      interval: '30s',
      expected_status: 204,
    });
    expect((await json<{ name: string }[]>('check', 'list', '--service', 'web')).map((c) => c.name)).toEqual([
      'web-health',
    ]);

    const bad = await tocsin('check', 'create', 'x', '--service', 'web', '--target', 'ftp://x');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('url');

    const watch = await json(
      'vendor',
      'watch',
      'github',
      '--service',
      'web',
      '--page',
      'https://www.githubstatus.com',
      '--component',
      'Git Operations',
      '--component',
      'Actions',
    );
    expect(watch).toMatchObject({
      name: 'github',
      components: ['Git Operations', 'Actions'],
      summary_url: 'https://www.githubstatus.com/api/v2/summary.json',
    });
    expect((await json<{ name: string }[]>('vendor', 'list')).map((w) => w.name)).toEqual(['github']);

    expect((await tocsin('check', 'delete', 'web-health')).code).toBe(0);
    expect((await tocsin('vendor', 'unwatch', 'github')).code).toBe(0);
    expect(await json('check', 'list')).toEqual([]);
    expect(await json('vendor', 'list')).toEqual([]);
  });
});
