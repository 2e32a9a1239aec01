import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';

// Bodies from PagerDuty's Events API v2 documentation, sent to /v2/enqueue.
let t: TestApp;
let key: string;

async function enqueue(body: unknown) {
  const res = await t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: body as object });
  return { status: res.statusCode, body: res.json() };
}

async function alertsOf(dedupKey: string) {
  return t.db.selectFrom('alerts').selectAll().where('dedup_key', '=', dedupKey).execute();
}

beforeAll(async () => {
  t = await testApp();
  const service = await t.app.inject({
    method: 'POST',
    url: '/api/v1/services',
    headers: auth(t.adminToken),
    payload: { name: 'payments' },
  });
  expect(service.statusCode).toBe(201);
  const integration = await t.app.inject({
    method: 'POST',
    url: '/api/v1/services/payments/integrations',
    headers: auth(t.adminToken),
    payload: { type: 'pagerduty' },
  });
  expect(integration.statusCode).toBe(201);
  key = integration.json().integration.key;
  expect(key).toMatch(/^[0-9a-f]{32}$/);
  expect(integration.json().integration.url).toBe('http://tocsin.test/v2/enqueue');
});
afterAll(() => t.close());

const trigger = (extra: Record<string, unknown> = {}) => ({
  routing_key: key,
  event_action: 'trigger',
  dedup_key: 'srv01/HTTP',
  payload: {
    summary: 'DISK at 99% on machine prod-datapipe03.example.com',
    timestamp: '2026-03-02T09:58:00.000+00:00',
    severity: 'critical',
    source: 'prod-datapipe03.example.com',
    component: 'mysql',
    group: 'prod-datapipe',
    class: 'disk',
    custom_details: { 'free space': '1%', 'ping time': '1500ms' },
  },
  links: [{ href: 'https://example.com/', text: 'Link text' }],
  images: [
    { src: 'https://www.pagerduty.com/wp-content/uploads/2016/05/pagerduty-logo-green.png', alt: 'logo' },
  ],
  ...extra,
});

describe('PagerDuty Events API v2 at /v2/enqueue', () => {
  it('accepts a trigger with PagerDuty’s answer and stores the alert', async () => {
    const res = await enqueue(trigger());
    expect(res).toEqual({
      status: 202,
      body: { status: 'success', message: 'Event processed', dedup_key: 'srv01/HTTP' },
    });
    const [alert] = await alertsOf('srv01/HTTP');
    expect(alert).toMatchObject({ status: 'triggered', severity: 'critical', count: 1, component: 'mysql' });
    expect(alert?.started_at?.toISOString()).toBe('2026-03-02T09:58:00.000Z');
    // custom_details are sent to the store once, inside the raw payload (migration 0710).
    expect(alert?.details).toEqual({ 'free space': '1%', 'ping time': '1500ms' });
  });

  it('refreshes the details from each repeat (one without custom_details leaves none)', async () => {
    const body = trigger({ dedup_key: 'details-refresh' });
    await enqueue(body);
    body.payload.custom_details = { 'free space': '0%', 'ping time': '9ms' };
    await enqueue(body);
    expect((await alertsOf('details-refresh'))[0]).toMatchObject({
      count: 2,
      details: { 'free space': '0%' },
    });
    const { custom_details: _none, ...without } = body.payload;
    await enqueue({ ...body, payload: without });
    const [last] = await alertsOf('details-refresh');
    expect(last?.count).toBe(3);
    expect(last?.details).toEqual({});
  });

  it('deduplicates repeats into one open alert with a count', async () => {
    await enqueue(trigger());
    await Promise.all(Array.from({ length: 10 }, () => enqueue(trigger())));
    const rows = await alertsOf('srv01/HTTP');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.count).toBe(12);
  });

  it('accepts PagerDuty’s documented timestamp without a colon in the offset', async () => {
    const body = trigger({ dedup_key: 'offset-no-colon' });
    body.payload.timestamp = '2015-07-17T08:42:58.315+0000';
    expect((await enqueue(body)).status).toBe(202);
    expect((await alertsOf('offset-no-colon'))[0]?.started_at?.toISOString()).toBe(
      '2015-07-17T08:42:58.315Z',
    );
  });

  it('generates a dedup key when a trigger has none, and returns it', async () => {
    const { dedup_key: _omit, ...noKey } = trigger();
    const res = await enqueue(noKey);
    expect(res.status).toBe(202);
    expect(res.body.dedup_key).toMatch(/^[0-9a-f]{32}$/);
  });

  it('acknowledges and resolves by dedup key; a new trigger then opens a new alert', async () => {
    expect(
      (await enqueue({ routing_key: key, event_action: 'acknowledge', dedup_key: 'srv01/HTTP' })).status,
    ).toBe(202);
    expect((await alertsOf('srv01/HTTP'))[0]?.status).toBe('acknowledged');
    expect(
      (await enqueue({ routing_key: key, event_action: 'resolve', dedup_key: 'srv01/HTTP' })).status,
    ).toBe(202);
    expect((await alertsOf('srv01/HTTP'))[0]?.status).toBe('resolved');
    await enqueue(trigger());
    const rows = await alertsOf('srv01/HTTP');
    expect(rows.map((r) => r.status).sort()).toEqual(['resolved', 'triggered']);
  });

  it('refuses invalid events in PagerDuty’s format and stores nothing', async () => {
    const before = (await t.db.selectFrom('alerts').select('id').execute()).length;
    const cases: [unknown, RegExp][] = [
      [{ ...trigger(), payload: { source: 'x', severity: 'critical' } }, /payload\.summary/],
      [{ ...trigger(), event_action: 'explode' }, /event_action/],
      [{ ...trigger(), payload: { summary: 's', source: 'x', severity: 'fatal' } }, /payload\.severity/],
      [{ ...trigger(), dedup_key: 'k'.repeat(256) }, /dedup_key/],
      [{ routing_key: key, event_action: 'resolve' }, /dedup_key/],
      [{ ...trigger(), routing_key: '0123456789abcdef0123456789abcdef' }, /routing_key/],
      [[1, 2, 3], /JSON object/],
    ];
    for (const [body, reason] of cases) {
      const res = await enqueue(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.status).toBe('invalid event');
      expect(res.body.errors.join(' ')).toMatch(reason);
    }
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/v2/enqueue',
      headers: { 'content-type': 'application/json' },
      payload: '{"routing_key": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().status).toBe('invalid event');
    expect((await t.db.selectFrom('alerts').select('id').execute()).length).toBe(before);
  });

  it('stops accepting an old key after rotation', async () => {
    const rotated = await t.app.inject({
      method: 'POST',
      url: '/api/v1/services/payments/integrations/pagerduty/rotate',
      headers: auth(t.adminToken),
    });
    const fresh = rotated.json().integration.key;
    expect((await enqueue(trigger({ dedup_key: 'after-rotate' }))).status).toBe(400);
    key = fresh;
    expect((await enqueue(trigger({ dedup_key: 'after-rotate' }))).status).toBe(202);
  });
});

describe('alerts API', () => {
  it('lists alerts by service and status, shows raw payloads, acknowledges, resolves and notes', async () => {
    const list = await t.app.inject({
      url: '/api/v1/alerts?service=payments&status=open',
      headers: auth(t.adminToken),
    });
    expect(list.statusCode).toBe(200);
    const open = list.json().alerts as { id: string; dedup_key: string; status: string }[];
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((a) => a.status !== 'resolved')).toBe(true);
    const id = open[0]?.id as string;
    const shown = await t.app.inject({ url: `/api/v1/alerts/${id}`, headers: auth(t.adminToken) });
    expect(shown.json().alert.raw).toBeTruthy();
    expect(JSON.stringify(shown.json())).not.toContain('routing_key');
    expect(shown.json().events.length).toBeGreaterThan(0);
    const viewer = await t.tokenFor('viewer');
    expect(
      (await t.app.inject({ method: 'POST', url: `/api/v1/alerts/${id}/acknowledge`, headers: auth(viewer) }))
        .statusCode,
    ).toBe(403);
    const acked = await t.app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${id}/acknowledge`,
      headers: auth(t.adminToken),
    });
    expect(acked.json().alert.status).toBe('acknowledged');
    const note = await t.app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${id}/notes`,
      headers: auth(t.adminToken),
      payload: { text: 'looking into it' },
    });
    expect(note.statusCode).toBe(201);
    const resolved = await t.app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${id}/resolve`,
      headers: auth(t.adminToken),
    });
    expect(resolved.json().alert.status).toBe('resolved');
    expect((await t.app.inject({ url: '/api/v1/alerts/abc', headers: auth(t.adminToken) })).statusCode).toBe(
      404,
    );
    expect(
      (await t.app.inject({ url: '/api/v1/alerts?label=nope', headers: auth(t.adminToken) })).statusCode,
    ).toBe(400);
  });

  it('pages through alerts with a next cursor: the same alerts as one page, in order', async () => {
    const get = async (query: string) =>
      (await t.app.inject({ url: `/api/v1/alerts?${query}`, headers: auth(t.adminToken) })).json() as {
        alerts: { id: string }[];
        next: string | null;
      };
    const all = await get('status=all&limit=5000');
    expect(all.next).toBeNull();
    const walked: string[] = [];
    let next: string | null = null;
    do {
      const page = await get(`status=all&limit=2${next ? `&cursor=${next}` : ''}`);
      walked.push(...page.alerts.map((a) => a.id));
      next = page.next;
    } while (next);
    expect(walked.length).toBeGreaterThan(2);
    expect(walked).toEqual(all.alerts.map((a) => a.id));
  });
});
