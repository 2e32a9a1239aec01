import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../test/cli-harness.ts';
import { type TestApp, testApp } from '../../test/helpers.ts';

// `tocsin status-page subscribers …`: the real binary against a real server on loopback.
let t: TestApp;
let tocsin: Awaited<ReturnType<typeof cliAgainst>>;

beforeAll(async () => {
  t = await testApp();
  tocsin = await cliAgainst(t);
});
afterAll(() => t.close());

describe('tocsin status-page subscribers', () => {
  it('lists subscribers and removes one', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/status/api/v2/subscribers',
      payload: { email: 'reader@example.com' },
    });
    expect(r.statusCode, r.body).toBe(202);
    const listed = await tocsin('status-page', 'subscribers', 'list');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/reader@example\.com\s+pending\s+\(all\)/);
    const json = await tocsin('status-page', 'subscribers', 'list', '--mode', 'email', '--json');
    const [subscriber] = JSON.parse(json.stdout);
    expect(subscriber).toMatchObject({ mode: 'email', address: 'reader@example.com', status: 'pending' });
    const removed = await tocsin('status-page', 'subscribers', 'remove', subscriber.id);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe(`subscriber ${subscriber.id} removed\n`);
    const active = await tocsin('status-page', 'subscribers', 'list', '--status', 'active', '--json');
    expect(JSON.parse(active.stdout)).toEqual([]);
    const missing = await tocsin('status-page', 'subscribers', 'remove', '424242');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('subscriber "424242" not found');
  });
});
