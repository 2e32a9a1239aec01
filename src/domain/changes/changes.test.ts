import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { routeAlerts } from '../alert-rules/route-alerts.ts';
import type { InboundAlertEvent } from '../alerts/alerts.ts';
import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import { updateIncident } from '../incidents/update-incident.ts';
import { savePlan } from '../plans/save-plan.ts';
import { createIntegration } from '../services/create-integration.ts';
import { saveService } from '../services/save-service.ts';
import { parseTimestamp } from './changes.ts';

const HOUR = 3_600_000;
let t: TestApp;
let pdKey: string;
let deployKey: string;

// PagerDuty's documented example (developer-docs, "Send a Change Event"), routing key aside.
const PD_EXAMPLE = {
  routing_key: 'samplekeyhere',
  payload: {
    summary: 'Build Success: Increase snapshot create timeout to 30 seconds',
    timestamp: '2020-07-17T08:42:58.315+0000',
    source: 'acme-build-pipeline-tool-default-i-9999',
    custom_details: { build_state: 'passed', build_number: '2', run_time: '1236s' },
  },
  links: [{ href: 'https://acme.pagerduty.dev/build/2', text: 'View more details in Acme!' }],
};

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: ops }
severities: [{ id: SEV1, title: Critical, targets: { acknowledge: 5m } }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
`;

beforeAll(async () => {
  t = await testApp();
  for (const name of ['checkout', 'payments', 'search']) {
    await saveService({ ctx: t.ctx(), input: { service: { name }, mode: 'create' } });
  }
  pdKey = (await createIntegration({ ctx: t.ctx(), input: { service: 'checkout', type: 'pagerduty' } })).key;
  deployKey = (await createIntegration({ ctx: t.ctx(), input: { service: 'checkout', type: 'deploy' } })).key;
  await savePlan({ ctx: t.ctx(), input: { source: PLAN } });
});
afterAll(() => t.close());

const changeCount = async () =>
  Number(
    (
      await t.db
        .selectFrom('changes')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

function enqueue(body: unknown) {
  return t.app.inject({ method: 'POST', url: '/v2/change/enqueue', payload: body as object });
}

function deploy(key: string, body: unknown) {
  return t.app.inject({ method: 'POST', url: `/api/v1/integrations/deploy/${key}`, payload: body as object });
}

describe('timestamps', () => {
  it('accept ISO 8601 with any offset spelling PagerDuty clients use, and nothing else', () => {
    expect(parseTimestamp('2020-07-17T08:42:58.315+0000')?.toISOString()).toBe('2020-07-17T08:42:58.315Z');
    expect(parseTimestamp('2020-07-17T10:42:58+02:00')?.toISOString()).toBe('2020-07-17T08:42:58.000Z');
    expect(parseTimestamp('2020-07-17T10:42:58+02')?.toISOString()).toBe('2020-07-17T08:42:58.000Z');
    expect(parseTimestamp('2020-07-17T08:42:58Z')?.toISOString()).toBe('2020-07-17T08:42:58.000Z');
    for (const bad of ['2020-07-17 08:42:58', '2020-07-17T08:42:58', 'yesterday', '2020-13-45T99:00:00Z']) {
      expect(parseTimestamp(bad), bad).toBeNull();
    }
  });
});

describe('POST /v2/change/enqueue (PagerDuty Change Events v2)', () => {
  it('stores PagerDuty’s documented example for the key’s service and answers as PagerDuty does', async () => {
    const res = await enqueue({ ...PD_EXAMPLE, routing_key: pdKey });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'success', message: 'Change event processed' });
    const list = await t.app.inject({ url: '/api/v1/changes?service=checkout', headers: auth(t.adminToken) });
    expect(list.json().changes).toEqual([
      {
        id: expect.any(String),
        service: 'checkout',
        summary: 'Build Success: Increase snapshot create timeout to 30 seconds',
        source: 'acme-build-pipeline-tool-default-i-9999',
        version: null,
        environment: null,
        happened_at: '2020-07-17T08:42:58.315Z',
        received_at: t.clock.now().toISOString(),
        details: { build_state: 'passed', build_number: '2', run_time: '1236s' },
        links: [{ href: 'https://acme.pagerduty.dev/build/2', text: 'View more details in Acme!' }],
      },
    ]);
    const raw = await t.db.selectFrom('changes').select('raw').executeTakeFirstOrThrow();
    expect(raw.raw).not.toHaveProperty('routing_key'); // the key is a secret
  });

  it('takes the arrival time when the sender gives none', async () => {
    const res = await enqueue({ routing_key: pdKey, payload: { summary: 'Flag new-checkout on' } });
    expect(res.statusCode).toBe(202);
    const [latest] = (
      await t.app.inject({ url: '/api/v1/changes?limit=1', headers: auth(t.adminToken) })
    ).json().changes;
    expect(latest).toMatchObject({
      summary: 'Flag new-checkout on',
      happened_at: t.clock.now().toISOString(),
    });
  });

  it('refuses bad events in PagerDuty’s error format and stores nothing', async () => {
    const before = await changeCount();
    const cases: [unknown, string[]][] = [
      [
        { ...PD_EXAMPLE, routing_key: pdKey, payload: { ...PD_EXAMPLE.payload, summary: ' ' } },
        ["'payload.summary' is missing or blank"],
      ],
      [{ routing_key: pdKey }, ["'payload' is missing"]],
      [{ payload: { summary: 'x' } }, ["'routing_key' is missing"]],
      [
        { routing_key: pdKey, payload: { summary: 'x', timestamp: 'last tuesday' } },
        ["'payload.timestamp' must be an ISO 8601 timestamp with a time zone"],
      ],
      [
        { routing_key: pdKey, payload: { summary: 'x'.repeat(1025) } },
        ["'payload.summary' is longer than 1024"],
      ],
      [[1, 2], ['Event object must be a JSON object']],
      [
        { ...PD_EXAMPLE, routing_key: '0123456789abcdef0123456789abcdef' },
        ["'routing_key' is invalid: no such integration"],
      ],
      // A deploy integration's key is not a PagerDuty integration key.
      [{ ...PD_EXAMPLE, routing_key: deployKey }, ["'routing_key' is invalid: no such integration"]],
    ];
    for (const [body, errors] of cases) {
      const res = await enqueue(body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.json()).toEqual({ status: 'invalid event', message: 'Event object is invalid', errors });
    }
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/v2/change/enqueue',
      headers: { 'content-type': 'application/json' },
      payload: '{"routing_key": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ status: 'invalid event', message: 'Event object is invalid' });
    expect(await changeCount()).toBe(before);
  });
});

describe('POST /api/v1/integrations/deploy/:key', () => {
  it('records a deploy, writing a summary when none is given', async () => {
    const res = await deploy(deployKey, {
      version: 'v1.4.2',
      environment: 'production',
      url: 'https://ci.example.com/runs/981',
      timestamp: '2026-03-02T09:58:00Z',
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      status: 'accepted',
      change: expect.objectContaining({
        service: 'checkout',
        summary: 'Deployed checkout v1.4.2 to production',
        source: 'deploy', // the integration's name
        version: 'v1.4.2',
        environment: 'production',
        happened_at: '2026-03-02T09:58:00.000Z',
        links: [{ href: 'https://ci.example.com/runs/981', text: 'Deployment' }],
      }),
    });
  });

  it('records it for another service when the body names one', async () => {
    const res = await deploy(deployKey, {
      service: 'payments',
      summary: 'Rotate card vault keys',
      details: { by: 'ci' },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().change).toMatchObject({
      service: 'payments',
      summary: 'Rotate card vault keys',
      details: { by: 'ci' },
    });
  });

  it('refuses bad bodies with field paths, and unknown keys with 404; stores nothing', async () => {
    const before = await changeCount();
    const bad: [unknown, { path: string; message: string }[]][] = [
      [{ environment: 'production' }, [{ path: 'body.summary', message: 'give a summary or a version' }]],
      [{ version: 'v1', colour: 'red' }, [{ path: 'body.colour', message: 'unknown field' }]],
      [
        { version: 'v1', url: 'javascript:alert(1)' },
        [{ path: 'body.url', message: 'must be an http(s) URL' }],
      ],
      [
        { version: 'v1', timestamp: '02/03/2026' },
        [{ path: 'body.timestamp', message: 'must be an ISO 8601 timestamp with a time zone' }],
      ],
    ];
    for (const [body, details] of bad) {
      const res = await deploy(deployKey, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.details).toEqual(details);
    }
    const unknownService = await deploy(deployKey, { service: 'nope', version: 'v1' });
    expect(unknownService.statusCode).toBe(400);
    expect(unknownService.json().error.details).toEqual([
      { path: 'service', message: 'no service named "nope"' },
    ]);
    expect((await deploy('0123456789abcdef0123456789abcdef', { version: 'v1' })).statusCode).toBe(404);
    expect((await deploy(pdKey, { version: 'v1' })).statusCode).toBe(404);
    expect(await changeCount()).toBe(before);
  });

  it('gives deploy integrations their URL', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/services/search/integrations',
      headers: auth(t.adminToken),
      payload: { type: 'deploy', name: 'github-actions' },
    });
    expect(res.statusCode).toBe(201);
    const { integration } = res.json();
    expect(integration.url).toBe(`http://tocsin.test/api/v1/integrations/deploy/${integration.key}`);
  });
});

describe('reading changes', () => {
  it('lists them newest first, per service or all; needs a token', async () => {
    const res = await t.app.inject({ url: '/api/v1/changes', headers: auth(await t.tokenFor('viewer')) });
    expect(res.statusCode).toBe(200);
    const at = res.json().changes.map((c: { happened_at: string }) => c.happened_at);
    expect(at).toEqual([...at].sort().reverse());
    const since = await t.app.inject({
      url: '/api/v1/changes?since=2026-01-01T00:00:00Z',
      headers: auth(t.adminToken),
    });
    expect(since.json().changes.every((c: { happened_at: string }) => c.happened_at >= '2026')).toBe(true);
    expect(
      (await t.app.inject({ url: '/api/v1/changes?service=nope', headers: auth(t.adminToken) })).statusCode,
    ).toBe(404);
    expect((await t.app.inject({ url: '/api/v1/changes' })).statusCode).toBe(401);
  });

  it('shows an incident the changes of its services in the hours before its declaration', async () => {
    const change = (service: string, summary: string, hoursAgo: number) =>
      deploy(deployKey, {
        service,
        summary,
        timestamp: new Date(t.clock.now().getTime() - hoursAgo * HOUR).toISOString(),
      });
    t.clock.advance(72 * HOUR); // away from the changes above
    await change('search', 'search: 2h before', 2);
    await change('search', 'search: 30h before', 30);
    await change('payments', 'payments: 1h before (via its alert)', 1);
    await change('checkout', 'checkout: not this incident’s service', 1);
    // An alert of payments declares the incident (payments pages on its plan), and the responders
    // find the cause is search's: they move the incident to search. payments' changes still count,
    // through the alert that fed the incident.
    await saveService({
      ctx: t.ctx(),
      input: { service: { name: 'payments', plan: 'ops' }, mode: 'upsert' },
    });
    const integration = await createIntegration({
      ctx: t.ctx(),
      input: { service: 'payments', type: 'pagerduty' },
    });
    await ingestAlertEvents({
      ctx: t.ctx(),
      input: {
        integration,
        events: [
          { action: 'trigger', dedupKey: 'p99', summary: 'p99 latency', severity: 'critical', raw: {} },
        ] as InboundAlertEvent[],
      },
    });
    // The engine's alert-routing pass (in its own transaction, as the engine runs it).
    const routed = await t.db.transaction().execute((tx) => routeAlerts({ tx, now: t.clock.now() }));
    expect(routed).toBe(1);
    const fed = await t.db
      .selectFrom('alerts')
      .select('incident_id')
      .where('dedup_key', '=', 'p99')
      .executeTakeFirstOrThrow();
    const incident = await updateIncident({
      ctx: t.ctx(),
      input: { incidentId: String(fed.incident_id), service: 'search', title: 'Search is slow' },
    });
    t.clock.advance(HOUR);
    await change('search', 'search: after declaration', 0);

    const res = await t.app.inject({
      url: `/api/v1/incidents/${incident.id}/changes`,
      headers: auth(t.adminToken),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.services).toEqual(['payments', 'search']);
    expect(body.to).toBe(incident.declared_at.toISOString());
    expect(body.from).toBe(new Date(incident.declared_at.getTime() - 24 * HOUR).toISOString());
    expect(body.changes.map((c: { summary: string }) => c.summary)).toEqual([
      'payments: 1h before (via its alert)',
      'search: 2h before',
    ]);

    const wider = await t.app.inject({
      url: `/api/v1/incidents/${incident.id}/changes?hours=48`,
      headers: auth(t.adminToken),
    });
    expect(wider.json().changes).toHaveLength(3);
    const bad = await t.app.inject({
      url: `/api/v1/incidents/${incident.id}/changes?hours=0`,
      headers: auth(t.adminToken),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('querystring.hours');
    expect(
      (await t.app.inject({ url: '/api/v1/incidents/999999/changes', headers: auth(t.adminToken) }))
        .statusCode,
    ).toBe(404);
  });
});

describe('bad input at the change endpoints', () => {
  it('never answers 5xx, and a 4xx stores nothing', async () => {
    const valid = {
      pd: { ...PD_EXAMPLE, routing_key: pdKey },
      deploy: {
        version: 'v1',
        environment: 'prod',
        url: 'https://ci.example/1',
        timestamp: '2026-03-02T09:00:00Z',
      },
    };
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.constant(null),
      fc.boolean(),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
      fc.string({ minLength: 1025, maxLength: 1100 }),
    );
    const mutated = (body: Record<string, unknown>) =>
      fc.tuple(fc.constantFrom(...Object.keys(body)), value, fc.boolean()).map(([key, v, remove]) => {
        const copy: Record<string, unknown> = structuredClone(body);
        if (remove) delete copy[key];
        else copy[key] = v;
        return copy;
      });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          mutated(valid.pd).map((b) => ({ url: '/v2/change/enqueue', body: b })),
          mutated(valid.deploy).map((b) => ({ url: `/api/v1/integrations/deploy/${deployKey}`, body: b })),
          fc.anything().map((b) => ({ url: '/v2/change/enqueue', body: { routing_key: pdKey, payload: b } })),
        ),
        async ({ url, body }) => {
          const before = await changeCount();
          const res = await t.app.inject({
            method: 'POST',
            url,
            payload: JSON.stringify(body),
            headers: { 'content-type': 'application/json' },
          });
          expect(res.statusCode, res.body).toBeLessThan(500);
          if (res.statusCode >= 400) expect(await changeCount()).toBe(before);
        },
      ),
      { numRuns: 150 },
    );
  });
});
