import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { savePlan } from '../plans/save-plan.ts';
import { PAYMENTS_PLAN } from './testing.ts';

// Random bodies and ids thrown at the incident endpoints: never a 5xx, and a refused request leaves
// every table it could touch exactly as it was.

let t: TestApp;
let openId: string;
let resolvedId: string;

beforeAll(async () => {
  t = await testApp();
  await savePlan({ ctx: t.ctx(), input: { source: PAYMENTS_PLAN } });
  await t.tokenFor('responder', 'alice');
  const declare = async () =>
    (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/incidents',
        headers: auth(t.adminToken),
        payload: { title: 'Target', severity: 'P1' },
      })
    ).json().incident.id as string;
  openId = await declare();
  resolvedId = await declare();
  await t.app.inject({
    method: 'POST',
    url: `/api/v1/incidents/${resolvedId}/resolve`,
    headers: auth(t.adminToken),
  });
});
afterAll(() => t.close());

const TABLES = [
  'incidents',
  'incident_events',
  'audit_log',
  'incident_roles',
  'incident_responders',
  'incident_updates',
  'hypotheses',
  'checklist_items',
] as const;

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const row = await t.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

// Ids: real ones, near misses and garbage.
const realId = fc.constantFrom('open', 'resolved').map((which) => (which === 'open' ? openId : resolvedId));
const id = fc.oneof(
  { weight: 6, arbitrary: realId },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '0',
      '-1',
      '1.5',
      '1e3',
      '99999999',
      '9223372036854775808',
      'abc',
      '%20',
      'null',
    ),
  },
  { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: 10n ** 25n }).map(String) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }).map(encodeURIComponent) },
);

// Values: anything JSON, plus the nasty strings PostgreSQL refuses (NUL, lone surrogates).
const nasty = fc.constantFrom('\u0000', 'a\ud800', '', ' ', 'x'.repeat(300), '2026-02-30T00:00:00Z');
const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), nasty);

/**
 * Bodies for one endpoint: valid ones (so later checks and the database are reached), valid ones with
 * one field replaced by anything, random maps of its keys, and any JSON value at all.
 */
function bodies(valid: fc.Arbitrary<Record<string, unknown>>, keys: string[]) {
  const strays = [...keys, 'extra', '__proto__', 'constructor'];
  return fc.oneof(
    { weight: 6, arbitrary: valid },
    {
      weight: 3,
      arbitrary: fc
        .tuple(valid, fc.constantFrom(...strays), value)
        .map(([body, key, v]) => ({ ...body, [key]: v })),
    },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...strays), value, { maxKeys: 4 }) },
    { weight: 1, arbitrary: value },
  );
}

// Text that is usually fine and sometimes something PostgreSQL would choke on.
const text = fc.oneof(
  { weight: 15, arbitrary: fc.string({ minLength: 1, maxLength: 20 }) },
  { weight: 1, arbitrary: nasty },
);
// Map keys that are usually valid label/field names.
const mapKey = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/) },
  { weight: 1, arbitrary: text },
);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const ENDPOINTS = [
  {
    method: 'POST',
    path: () => '/api/v1/incidents',
    body: bodies(
      fc.record(
        {
          title: text,
          severity: fc.constantFrom('P1', 'P2', 'P2', 'SEV1'),
          plan: fc.constantFrom('payments', 'payments', 'nope'),
          summary: text,
          service: text,
          labels: fc.dictionary(mapKey, text, { maxKeys: 3 }),
          fields: fc.dictionary(mapKey, fc.oneof(text, fc.integer()), { maxKeys: 3 }),
          correlation_id: fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9.:-]{0,20}$/), text),
          detected_at: fc
            .date({ min: new Date('1900-01-01'), max: new Date('2026-03-02'), noInvalidDate: true })
            .map((d) => d.toISOString()),
        },
        { requiredKeys: ['title', 'severity'] },
      ),
      [
        'title',
        'severity',
        'plan',
        'summary',
        'service',
        'labels',
        'fields',
        'correlation_id',
        'detected_at',
      ],
    ),
  },
  {
    method: 'POST',
    path: (i: string) => `/api/v1/incidents/${i}/transition`,
    body: bodies(
      fc.record({
        to: fc.constantFrom('investigating', 'identified', 'monitoring', 'resolved', 'gone'),
        reason: opt(text),
      }),
      ['to', 'reason'],
    ),
  },
  {
    method: 'POST',
    path: (i: string) => `/api/v1/incidents/${i}/notes`,
    body: bodies(fc.record({ text }), ['text']),
  },
  {
    method: 'POST',
    path: (i: string) => `/api/v1/incidents/${i}/roles`,
    body: bodies(
      fc.record({
        role: fc.constantFrom('incident-commander', 'scribe', 'pilot'),
        user: fc.constantFrom('alice', 'admin', 'ghost', 'Not A Handle'),
      }),
      ['role', 'user'],
    ),
  },
  {
    method: 'POST',
    path: (i: string) => `/api/v1/incidents/${i}/updates`,
    body: bodies(
      fc.record({
        audience: fc.constantFrom('internal', 'external', 'public'),
        bodies: fc.record({ en: text, am: text, fr: text }, { requiredKeys: [] }),
      }),
      ['audience', 'bodies'],
    ),
  },
  {
    method: 'PATCH',
    path: (i: string) => `/api/v1/incidents/${i}`,
    body: bodies(
      fc.record(
        {
          title: text,
          summary: text,
          service: fc.oneof(text, fc.constant(null)),
          customer_facing: fc.boolean(),
          labels: fc.dictionary(mapKey, fc.oneof(text, fc.constant(null)), { maxKeys: 3 }),
          fields: fc.dictionary(mapKey, fc.oneof(text, fc.integer(), fc.constant(null)), { maxKeys: 3 }),
        },
        { requiredKeys: [] },
      ),
      ['title', 'summary', 'service', 'customer_facing', 'labels', 'fields'],
    ),
  },
] as const;

// A request: an endpoint, an id, and a body that is absent, raw text (often not JSON) or generated.
const request = fc.oneof(
  ...ENDPOINTS.map((endpoint) =>
    fc.record({
      endpoint: fc.constant(endpoint),
      id,
      payload: fc.oneof(
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
        { weight: 8, arbitrary: (endpoint.body as fc.Arbitrary<unknown>).map((b) => JSON.stringify(b)) },
      ),
    }),
  ),
);

describe('random input at the incident endpoints', () => {
  it('never answers 5xx and never half-writes a refused request', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ endpoint, id: target, payload }) => {
        const before = await counts();
        const res = await t.app.inject({
          method: endpoint.method,
          url: endpoint.path(target),
          headers: { ...auth(t.adminToken), 'content-type': 'application/json' },
          ...(payload === undefined ? {} : { payload }),
        });
        expect(
          res.statusCode,
          `${endpoint.method} ${endpoint.path(target)} ${payload}: ${res.body}`,
        ).toBeLessThan(500);
        if (res.statusCode >= 400) {
          expect(await counts(), `${res.statusCode} ${res.body}`).toEqual(before);
          expect(res.json().error.code).toBeTypeOf('string');
        }
      }),
      { numRuns: 400 },
    );
  });
});
