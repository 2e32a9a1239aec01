import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { genericWebhookConfigSchema, genericWebhookFormat } from './generic-webhook.ts';
import { alertsWithKey, createIntegration, postAlert, storedRows } from './inbound-test-support.ts';
import { compileJsonPath, evaluateJsonPath } from './json-path.ts';

function at(path: string, root: unknown): unknown[] {
  const compiled = compileJsonPath(path);
  if (!compiled.ok) throw new Error(compiled.error);
  return evaluateJsonPath(compiled.segments, root);
}

describe('JSON path subset', () => {
  const doc = { a: { 'b c': [10, 20, { d: 'x' }] }, items: [{ id: 1 }, { id: 2 }], 'it"s': 1 };

  it('reads $, .key, [\'key\'], ["key"], [n], [-n], [*] and .*', () => {
    expect(at('$', doc)).toEqual([doc]);
    expect(at("$.a['b c'][1]", doc)).toEqual([20]);
    expect(at('$.a["b c"][-1].d', doc)).toEqual(['x']);
    expect(at('$.items[*].id', doc)).toEqual([1, 2]);
    expect(at('$.items.*.id', doc)).toEqual([1, 2]);
    expect(at("$['it\\\"s']", doc)).toEqual([1]);
    expect(at('$["it\\"s"]', doc)).toEqual([1]);
    expect(at('$.missing.deeper', doc)).toEqual([]);
    expect(at('$.a[7]', doc)).toEqual([]);
  });

  it('never reaches inherited properties', () => {
    expect(at('$.constructor', {})).toEqual([]);
    expect(at('$.__proto__', {})).toEqual([]);
    expect(at('$.length', [1])).toEqual([]);
  });

  it('says what is wrong with a bad path', () => {
    const errors = ['title', '$..deep', '$.a[', "$['x", '$.a[?(@.x)]', '$ .a', `$${'.a'.repeat(200)}`].map(
      (p) => {
        const compiled = compileJsonPath(p);
        return compiled.ok ? 'ok' : compiled.error;
      },
    );
    expect(errors).toEqual([
      'must start with $ (the body), e.g. $.title',
      'expected a name after "." at character 2 of $..deep',
      'expected a number, * or a quoted name inside [ ] at character 4 of $.a[',
      "unterminated ' at character 2 of $['x",
      'expected a number, * or a quoted name inside [ ] at character 4 of $.a[?(@.x)]',
      'expected "." or "[" at character 2 of $ .a',
      'is longer than 256 characters',
    ]);
  });

  it('is total on any path and any document', () => {
    fc.assert(
      fc.property(fc.string(), fc.jsonValue(), (path, value) => {
        const compiled = compileJsonPath(`$${path}`);
        if (compiled.ok) expect(Array.isArray(evaluateJsonPath(compiled.segments, value))).toBe(true);
      }),
    );
  });
});

const integration = (config: Record<string, unknown>) => ({ config, name: 'webhook' });

function events(body: unknown, config: Record<string, unknown> = {}) {
  const parsed = genericWebhookFormat.parse(body, integration(config));
  if (!parsed.ok) throw new Error(parsed.errors.join());
  return parsed.events;
}

describe('generic webhook mapping', () => {
  it('reads common field names when unconfigured', () => {
    const body = {
      id: 'check-42',
      title: 'Backups are late',
      level: 'warning',
      state: 'alerting',
      tags: 'team:storage,env:prod',
      url: 'https://ci.example/backups',
      timestamp: '2026-03-02T09:00:00Z',
      host: 'backup-1',
    };
    expect(events(body)).toEqual([
      {
        action: 'trigger',
        dedupKey: 'check-42',
        summary: 'Backups are late',
        source: 'backup-1',
        severity: 'warning',
        labels: { team: 'storage', env: 'prod' },
        links: [{ href: 'https://ci.example/backups', text: 'Source' }],
        startedAt: new Date('2026-03-02T09:00:00Z'),
        raw: body,
      },
    ]);
    expect(events({ ...body, state: 'OK' })[0]?.action).toBe('resolve');
    expect(events({ ...body, status: 'acknowledged' })[0]?.action).toBe('acknowledge');
    expect(events({ message: 'no id' })[0]?.dedupKey).toMatch(/^[0-9a-f]{32}$/);
    expect(events({ message: 'no id' })[0]?.dedupKey).toBe(
      events({ message: 'no id', extra: 1 })[0]?.dedupKey,
    );
  });

  it('follows a configured mapping, many alerts per body, reading group fields from the body', () => {
    const config = {
      summary: '$.title',
      severity: '$.level',
      severityMap: { sev1: 'critical' },
      dedupKey: '$.id',
      status: '$.state',
      resolvedValues: ['ok', 'resolved'],
      labels: '$.tags',
      source: "$['origin']",
      alerts: '$.items[*]',
    };
    expect(genericWebhookConfigSchema.safeParse(config).success).toBe(true);
    const body = {
      origin: 'scanner',
      items: [
        {
          id: 7,
          title: 'Port open',
          level: 'SEV1',
          state: 'firing',
          tags: { zone: 'a', count: 3, nested: {} },
        },
        { id: 'x-8', title: 'Cert expired', level: 'low', state: 'OK', tags: ['env:prod'] },
      ],
    };
    expect(events(body, config)).toMatchObject([
      {
        action: 'trigger',
        dedupKey: '7',
        summary: 'Port open',
        severity: 'critical',
        source: 'scanner',
        labels: { zone: 'a', count: '3' },
        raw: body.items[0],
      },
      { action: 'resolve', dedupKey: 'x-8', severity: 'info', labels: { env: 'prod' } },
    ]);
    expect(events({ items: [] }, config)).toEqual([]);
    expect(events({ origin: 'x', items: [{ id: 1 }] }, { ...config, alerts: '$.items' })[0]?.dedupKey).toBe(
      '1',
    );
  });

  it('refuses bodies it cannot map and bad mappings, saying why', () => {
    const reasons = (body: unknown, config: Record<string, unknown> = {}) => {
      const parsed = genericWebhookFormat.parse(body, integration(config));
      return parsed.ok ? 'ok' : parsed.errors.join(' ');
    };
    expect(reasons('text')).toMatch(/JSON object or array/);
    expect(reasons({ unrelated: true })).toMatch(/neither a summary nor a dedup key/);
    expect(reasons({ list: [] }, { alerts: '$.items[*]' })).toMatch(/no alerts at \$\.items\[\*\]/);
    expect(reasons({ items: [{ id: 1 }, {}] }, { alerts: '$.items[*]' })).toMatch(/alert 1: found neither/);
    expect(reasons({ id: 1 }, { summary: 'title' })).toMatch(
      /integration 'config\.summary' JSON path must start with \$/,
    );
    expect(reasons({ id: 1 }, { sumary: '$.x' })).toMatch(/config/);
    expect(reasons({ id: 1 }, { severityMap: { p0: 'huge' } })).toMatch(/config\.severityMap\.p0/);
  });
});

describe('POST /api/v1/integrations/webhook/:key', () => {
  let t: TestApp;
  let plain: string;
  let mapped: string;
  beforeAll(async () => {
    t = await testApp();
    plain = await createIntegration(t, 'batch', 'webhook');
    mapped = await createIntegration(
      t,
      'batch',
      'webhook',
      {
        alerts: '$.checks[*]',
        dedupKey: '$.name',
        summary: '$.output',
        status: '$.result',
        resolvedValues: ['pass'],
      },
      'checks',
    );
  });
  afterAll(() => t.close());

  it('refuses a bad mapping when the integration is created, not when the first alert comes', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/services/batch/integrations',
      headers: { authorization: `Bearer ${t.adminToken}` },
      payload: { type: 'webhook', name: 'broken', config: { summary: 'title', colour: 'red' } },
    });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toContain('config.summary');
    expect(paths).toContain('config.colour');
  });

  it('stores alerts with the default mapping and with a configured one', async () => {
    expect(
      (await postAlert(t, 'webhook', plain, { id: 'nightly', title: 'Nightly job failed' })).status,
    ).toBe(202);
    expect((await alertsWithKey(t, 'nightly'))[0]).toMatchObject({
      summary: 'Nightly job failed',
      status: 'triggered',
    });
    const checks = (result: string) => ({
      checks: [
        { name: 'disk', output: 'disk 91%', result },
        { name: 'dns', output: 'dns ok', result: 'pass' },
      ],
    });
    const res = await postAlert(t, 'webhook', mapped, checks('fail'));
    expect(res.status).toBe(202);
    expect(res.body.alerts.map((a: { outcome: string }) => a.outcome)).toEqual(['created', 'ignored']);
    await postAlert(t, 'webhook', mapped, checks('pass'));
    expect((await alertsWithKey(t, 'disk'))[0]?.status).toBe('resolved');
    expect(await alertsWithKey(t, 'dns')).toEqual([]);
  });

  it('refuses an unmappable body with 400, storing nothing', async () => {
    const before = await storedRows(t);
    const res = await postAlert(t, 'webhook', mapped, { checks: [{ result: 'fail' }] });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].message).toMatch(/alert 0: found neither a summary nor a dedup key/);
    expect(await storedRows(t)).toEqual(before);
  });
});
