import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { FORMATS } from './formats.ts';
import { createIntegration, fixture, storedRows } from './inbound-test-support.ts';

// Bad input at every inbound endpoint: whatever arrives, the answer is never a 5xx, a 4xx stores
// nothing, and the process keeps serving. Every parse function is total as well.

const TYPES = ['alertmanager', 'grafana', 'datadog', 'sentry', 'webhook'] as const;

/** A valid body per endpoint, which mutations then break in random places. */
function validBodies(pdKey: string): Record<string, unknown> {
  return {
    pagerduty: {
      routing_key: pdKey,
      event_action: 'trigger',
      dedup_key: 'fuzz',
      payload: { summary: 'fuzz', source: 'fuzz', severity: 'error', custom_details: { a: 1 } },
    },
    alertmanager: {
      version: '4',
      status: 'firing',
      commonLabels: { job: 'x' },
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'A', severity: 'page' },
          annotations: {},
          fingerprint: 'f1',
        },
      ],
    },
    grafana: fixture('grafana-webhook.json'),
    datadog: {
      alert_id: '1',
      aggreg_key: 'k',
      transition: 'Triggered',
      title: 't',
      tags: 'a:b',
      date: '1406662672000',
    },
    sentry: fixture('sentry-issue-created.json'),
    webhook: { id: 'w', title: 'generic', state: 'firing', tags: { a: 'b' } },
  };
}

/** Sets `value` at a path chosen by `picks` (indexes into each level's keys), or deletes there. */
function mutate(body: unknown, picks: number[], value: unknown, remove: boolean): unknown {
  const copy = structuredClone(body);
  let node: unknown = copy;
  for (const [i, pick] of picks.entries()) {
    if (typeof node !== 'object' || node === null) break;
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[pick % keys.length] as string;
    const container = node as Record<string, unknown>;
    if (i === picks.length - 1 || typeof container[key] !== 'object' || container[key] === null) {
      if (remove) delete container[key];
      else container[key] = value;
      break;
    }
    node = container[key];
  }
  return copy;
}

const nested = fc
  .tuple(fc.integer({ min: 1, max: 12_000 }), fc.boolean())
  .map(([n, arrays]) =>
    arrays ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`,
  );
const huge = fc
  .tuple(fc.string({ maxLength: 8 }), fc.integer({ min: 1000, max: 400_000 }))
  .map(([s, n]) =>
    JSON.stringify({ title: (s || 'x').repeat(Math.ceil(n / Math.max(1, s.length))), id: 'h' }),
  );

/** Raw request bodies (strings) for one endpoint: random JSON, mutated valid bodies, deep, huge. */
function bodies(valid: unknown, key: string | undefined) {
  const json = (v: unknown) => JSON.stringify(v) ?? 'null';
  const withKey = (v: unknown) =>
    key && typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...v, routing_key: key } : v;
  return fc.oneof(
    fc.anything().map((v) => json(withKey(v))),
    fc.json(),
    fc.string(),
    fc
      .tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.anything(), fc.boolean())
      .map(([picks, value, remove]) => json(mutate(valid, picks, value, remove))),
    // Still well-typed, so it reaches the store: odd text where text belongs.
    fc
      .tuple(
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        fc.string({ unit: 'binary', maxLength: 2000 }),
      )
      .map(([picks, value]) => json(mutate(valid, picks, value, false))),
    nested,
    // Deep nesting inside an otherwise valid body, so it would reach the store (jsonb, JSON.stringify).
    fc
      .tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), nested)
      .map(([picks, deep]) => json(mutate(valid, picks, '<deep>', false)).replace('"<deep>"', deep)),
    huge,
  );
}

const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
);

describe('random payloads at every inbound endpoint', () => {
  let t: TestApp;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    t = await testApp();
    for (const type of ['pagerduty', ...TYPES]) keys[type] = await createIntegration(t, 'fuzz', type);
  });
  afterAll(() => t.close());

  async function send(url: string, body: string | Buffer, type = 'application/json') {
    const before = await storedRows(t);
    const res = await t.app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload: body });
    expect(res.statusCode, `${url} ${String(body).slice(0, 200)}`).toBeLessThan(500);
    if (res.statusCode >= 400) expect(await storedRows(t)).toEqual(before);
    return res;
  }

  const endpoints = () => [
    { name: 'pagerduty', url: '/v2/enqueue', key: keys.pagerduty },
    ...TYPES.map((type) => ({
      name: type,
      url: `/api/v1/integrations/${type}/${keys[type]}`,
      key: undefined,
    })),
  ];

  it('never answers 5xx, and a 4xx stores nothing', async () => {
    const valid = validBodies(keys.pagerduty ?? '');
    for (const endpoint of endpoints()) {
      await fc.assert(
        fc.asyncProperty(bodies(valid[endpoint.name], endpoint.key), contentType, async (body, type) => {
          await send(endpoint.url, body, type);
        }),
        { numRuns: 80 },
      );
    }
    expect((await t.app.inject({ url: '/health' })).statusCode).toBe(200);
  });

  it('accepts the valid bodies the mutations start from', async () => {
    const valid = validBodies(keys.pagerduty ?? '');
    for (const endpoint of endpoints()) {
      const res = await send(endpoint.url, JSON.stringify(valid[endpoint.name]));
      expect(res.statusCode, `${endpoint.name}: ${res.body}`).toBe(202);
    }
  });

  it('answers a 10 MB body with 413 and a clear error', async () => {
    const big = JSON.stringify({ title: 'x'.repeat(10 * 1024 * 1024), id: 'big' });
    const pd = await send('/v2/enqueue', big);
    expect(pd.statusCode).toBe(413);
    expect(pd.json()).toMatchObject({ status: 'error', errors: [expect.stringMatching(/too large/i)] });
    const am = await send(`/api/v1/integrations/alertmanager/${keys.alertmanager}`, big);
    expect(am.statusCode).toBe(413);
    expect(am.json().error).toMatchObject({
      code: 'too_large',
      message: expect.stringMatching(/too large/i),
    });
  });

  it('answers invalid UTF-8, 10,000-deep JSON, \\u0000 and a lone surrogate with 400 and a clear error', async () => {
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"id":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}'),
    ]);
    const deepJson = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const nul = JSON.stringify({ id: 'n', title: 'nul \u0000 here' });
    const cases: [string | Buffer, RegExp][] = [
      [invalidUtf8, /not valid UTF-8/],
      [deepJson, /nests deeper than 64 levels/],
      [`[${'['.repeat(9_999)}${']'.repeat(10_000)}`, /nests deeper/],
      [nul, /\\u0000/],
      ['{"id":"s","title":"lone \\ud800 here"}', /lone surrogate escape at body\.title/],
      ['{"id": ', /JSON/i],
    ];
    for (const [body, reason] of cases) {
      const pd = await send('/v2/enqueue', body);
      expect(pd.statusCode).toBe(400);
      expect(pd.json()).toMatchObject({ status: 'invalid event', errors: [expect.stringMatching(reason)] });
      for (const type of TYPES) {
        const res = await send(`/api/v1/integrations/${type}/${keys[type]}`, body);
        expect(res.statusCode).toBe(400);
        expect(res.json().error.message).toMatch(reason);
      }
    }
    // An escaped backslash before "u0000" is just text.
    const text = await send(
      `/api/v1/integrations/webhook/${keys.webhook}`,
      '{"id":"bs","title":"a\\\\u0000"}',
    );
    expect(text.statusCode).toBe(202);
  });
});

describe('parse functions', () => {
  it('are total: any value, any config, never a throw', () => {
    const config = fc.oneof(fc.constant({}), fc.anything(), fc.dictionary(fc.string(), fc.string()));
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBigInt: true }), config, (body, cfg) => {
        for (const format of FORMATS) {
          const result = format.parse(body, { config: cfg, name: 'x' });
          expect(typeof result.ok).toBe('boolean');
        }
      }),
      { numRuns: 200 },
    );
  });
});
