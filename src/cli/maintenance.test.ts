import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../test/helpers.ts';
import { saveService } from '../domain/services/save-service.ts';

// `tocsin silence …` and `tocsin maintenance …`: the real binary against a real server on loopback.
const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
let t: TestApp;
let url: string;

beforeAll(async () => {
  t = await testApp();
  await saveService({ ctx: t.ctx(), input: { service: { name: 'payments' }, mode: 'create' } });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(() => t.close());

async function tocsin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, TOCSIN_TOKEN: t.adminToken };
  delete env.TOCSIN_URL;
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(root, 'bin/tocsin.js'), ...args, '--url', url],
      {
        env,
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('tocsin silence and tocsin maintenance', () => {
  it('creates a silence from amtool-style matchers, lists it and ends it', async () => {
    const created = await tocsin(
      'silence',
      'create',
      'env=prod',
      'alertname=~"Disk.*"',
      '--service',
      'payments',
      '--duration',
      '2h',
      '--comment',
      'moving disks',
      '--json',
    );
    expect(created.code, created.stderr).toBe(0);
    const silence = JSON.parse(created.stdout);
    expect(silence).toMatchObject({
      state: 'active',
      service: 'payments',
      matchers: [
        { name: 'env', op: '=', value: 'prod' },
        { name: 'alertname', op: '=~', value: 'Disk.*' },
      ],
    });
    const listed = await tocsin('silence', 'list');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('alertname=~"Disk.*"');
    expect(listed.stdout).toContain('moving disks');
    const ended = await tocsin('silence', 'end', silence.id);
    expect(ended.code, ended.stderr).toBe(0);
    expect(ended.stdout).toMatch(new RegExp(`^silence ${silence.id}  expired`));
  });

  it('schedules a maintenance window for a service', async () => {
    const created = await tocsin(
      'maintenance',
      'create',
      '--service',
      'payments',
      '--start',
      '2026-03-03T02:00:00Z',
      '--end',
      '2026-03-03T04:00:00Z',
      '--comment',
      'upgrade',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/pending {2}service payments/);
    const listed = await tocsin('maintenance', 'list', '--state', 'pending', '--json');
    expect(JSON.parse(listed.stdout)).toHaveLength(1);
  });

  it('explains bad matchers and the server’s refusals', async () => {
    const bad = await tocsin('silence', 'create', 'no-operator', '--comment', 'x');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/matcher 1 "no-operator"/);
    const refused = await tocsin('silence', 'create', 'job=~(a+)+', '--comment', 'x');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/matchers\.0\.value: .*exponential/);
  });
});
