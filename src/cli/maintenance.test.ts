import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../test/cli-harness.ts';
import { type TestApp, testApp } from '../../test/helpers.ts';
import { saveService } from '../domain/services/save-service.ts';

// `tocsin silence …` and `tocsin maintenance …`: the real binary against a real server on loopback.
let t: TestApp;
let tocsin: Awaited<ReturnType<typeof cliAgainst>>;

beforeAll(async () => {
  t = await testApp();
  await saveService({ ctx: t.ctx(), input: { service: { name: 'payments' }, mode: 'create' } });
  tocsin = await cliAgainst(t);
});
afterAll(() => t.close());

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
