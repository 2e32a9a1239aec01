import { createHmac } from 'node:crypto';
import { tracingChannel } from 'node:diagnostics_channel';
import { Agent, request as httpRequest } from 'node:http';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { connect } from '../../db/connect.ts';
import { freePort } from '../../db/embedded.ts';
import { createMetrics } from '../../http/metrics.ts';
import { type App, buildServer } from '../../http/server.ts';
import { alertmanagerGroup, alertsWithKey, createIntegration } from './inbound-test-support.ts';

// The inbound endpoints over real HTTP, where the lean path in front of Fastify serves them
// (fast-path.ts). Each request goes to two servers on one database: `fast` (the default listener)
// and `plain` (TOCSIN_INBOUND_FAST_PATH=false: Fastify for everything); both must answer alike, and
// Fastify's handler must not run for what the fast path takes.

const BODY_LIMIT = 262_144;
const SECRET = 'fast-path-secret-0123456789';

let t: TestApp;
let plain: App;
let fastUrl: string;
let plainUrl: string;
let pdKey: string;
let amKey: string;
let signedKey: string;

// What reached Fastify's route handlers (its diagnostics channel), by URL.
const fastifyHandled: string[] = [];
const handlerChannel = tracingChannel('fastify.request.handler');
const onStart = (store: unknown) => {
  fastifyHandled.push((store as { request: { url: string } }).request.url);
};

beforeAll(async () => {
  t = await testApp();
  pdKey = await createIntegration(t, 'fastpath', 'pagerduty');
  amKey = await createIntegration(t, 'fastpath', 'alertmanager');
  signedKey = await createIntegration(t, 'fastpath', 'webhook', { signature: { secret: SECRET } });
  plain = await buildServer({
    db: t.db,
    clock: t.clock,
    log: pino({ level: 'silent' }),
    metrics: createMetrics(),
    publicUrl: 'http://tocsin.test',
    bodyLimit: BODY_LIMIT,
    version: 'test',
    inboundFastPath: false,
  });
  fastUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  plainUrl = await plain.listen({ port: 0, host: '127.0.0.1' });
  handlerChannel.start.subscribe(onStart);
});
afterAll(async () => {
  handlerChannel.start.unsubscribe(onStart);
  await plain.close();
  await t.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request over a fresh connection; `chunked` sends the body without a Content-Length. */
function send(
  base: string,
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  o: { chunked?: boolean; agent?: Agent } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: 'POST', headers, agent: o.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    if (o.chunked) {
      // Several writes without a length: the limit must hold while the body streams in.
      const buffer = Buffer.from(body);
      for (let at = 0; at < buffer.length; at += 16_384) req.write(buffer.subarray(at, at + 16_384));
      req.end();
    } else {
      req.setHeader('content-length', Buffer.byteLength(body));
      req.end(body);
    }
  });
}

/** The same request to both servers; the answers must match in what a sender reads. */
async function both(
  path: (key: 'fast' | 'plain') => string,
  body: string | Buffer,
  headers?: Record<string, string>,
  o?: { chunked?: boolean },
) {
  const fast = await send(fastUrl, path('fast'), body, headers, o);
  const slow = await send(plainUrl, path('plain'), body, headers, o);
  const view = (a: Answer) => ({
    status: a.status,
    body: a.body,
    'content-type': a.headers['content-type'],
    'retry-after': a.headers['retry-after'],
    'server-timing': a.headers['server-timing'] === undefined ? 'absent' : 'present',
  });
  expect(view(fast)).toEqual(view(slow));
  return fast;
}

const trigger = (routingKey: string, dedupKey: string) =>
  JSON.stringify({
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: { summary: 'Disk full on db-1', source: 'db-1', severity: 'critical' },
  });

const amGroup = (fingerprint: string) => JSON.stringify(alertmanagerGroup(fingerprint));

const PD = () => '/v2/enqueue';

describe('the inbound fast path', () => {
  it('stores a PagerDuty event and answers 202 after its commit, without Fastify', async () => {
    fastifyHandled.length = 0;
    const res = await send(fastUrl, '/v2/enqueue', trigger(pdKey, 'fast-1'));
    expect(res.status).toBe(202);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).toEqual({
      status: 'success',
      message: 'Event processed',
      dedup_key: 'fast-1',
    });
    expect(await alertsWithKey(t, 'fast-1')).toHaveLength(1);
    expect(fastifyHandled).toEqual([]);
    // The same request through Fastify: only the dedup key differs.
    const slow = await send(plainUrl, '/v2/enqueue', trigger(pdKey, 'plain-1'));
    expect(slow.status).toBe(202);
    expect(fastifyHandled).toEqual(['/v2/enqueue']);
  });

  it('stores an Alertmanager group at /api/v1/integrations/:type/:key (query string ignored, charset allowed)', async () => {
    fastifyHandled.length = 0;
    const res = await send(
      fastUrl,
      `/api/v1/integrations/alertmanager/${amKey}?from=am`,
      amGroup('fa57000000000001'),
      {
        'content-type': 'application/json; charset=utf-8',
      },
    );
    expect(res.status).toBe(202);
    expect(res.headers['server-timing']).toMatch(/^app;dur=\d+\.\d$/);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({
      status: 'accepted',
      alerts: [{ dedup_key: 'fa57000000000001', outcome: 'created' }],
    });
    expect(fastifyHandled).toEqual([]);
  });

  it('answers every refusal of /v2/enqueue exactly as the Fastify route does', async () => {
    fastifyHandled.length = 0;
    const cases: [string, string | Buffer][] = [
      ['bad JSON', '{"routing_key":'],
      ['empty body', ''],
      ['not an object', '[1,2]'],
      ['no payload', JSON.stringify({ routing_key: pdKey, event_action: 'trigger' })],
      ['unknown routing key', trigger('0123456789abcdef0123456789abcdef', 'k')],
      ['prototype poisoning', `{"routing_key":"${pdKey}","__proto__":{"x":1}}`],
      [
        'invalid UTF-8',
        Buffer.concat([Buffer.from('{"routing_key":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
      ],
      ['too deep', `${'['.repeat(100)}${']'.repeat(100)}`],
      ['\\u0000', `{"routing_key":"${pdKey}","event_action":"trigger","dedup_key":"a\\u0000b"}`],
    ];
    for (const [name, body] of cases) {
      const res = await both(PD, body);
      expect(res.status, name).toBe(400);
      expect(JSON.parse(res.body), name).toMatchObject({
        status: 'invalid event',
        message: 'Event object is invalid',
      });
    }
    // Only the plain server's Fastify ran a handler (the body errors stop before it on both).
    expect(fastifyHandled.length).toBeLessThanOrEqual(cases.length);
    expect(fastifyHandled.every((url) => url === '/v2/enqueue')).toBe(true);
  });

  it('answers too large a body with 413, declared or streamed, in each endpoint’s format', async () => {
    const big = JSON.stringify({ routing_key: pdKey, pad: 'x'.repeat(BODY_LIMIT) });
    for (const chunked of [false, true]) {
      const pd = await both(PD, big, undefined, { chunked });
      expect(pd.status).toBe(413);
      expect(JSON.parse(pd.body)).toMatchObject({ status: 'error' });
      const am = await both(() => `/api/v1/integrations/alertmanager/${amKey}`, big, undefined, { chunked });
      expect(am.status).toBe(413);
      expect(JSON.parse(am.body).error.code).toBe('too_large');
    }
    // The server goes on serving after a refused body.
    expect((await send(fastUrl, '/v2/enqueue', trigger(pdKey, 'after-413'))).status).toBe(202);
  });

  it('answers the integrations endpoint’s refusals as Fastify does: unknown key or type, bad JSON, bad payload', async () => {
    const am = (key: string) => () => `/api/v1/integrations/alertmanager/${key}`;
    const unknownKey = await both(am('0123456789abcdef0123456789abcdef'), amGroup('f1'));
    expect(unknownKey.status).toBe(404);
    const unknownType = await both(() => `/api/v1/integrations/nagios/${amKey}`, amGroup('f1'));
    expect(unknownType.status).toBe(404);
    const wrongType = await both(() => `/api/v1/integrations/grafana/${amKey}`, amGroup('f1'));
    expect(wrongType.status).toBe(404);
    const badJson = await both(am(amKey), '{"alerts": [');
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.body).error.code).toBe('invalid');
    const badPayload = await both(am(amKey), JSON.stringify({ alerts: 'none' }));
    expect(badPayload.status).toBe(400);
    expect(JSON.parse(badPayload.body).error.message).toBe('not a valid alertmanager payload');
  });

  it('checks a signature against the bytes as sent: 401 without or with a wrong one, 202 with the right one', async () => {
    const path = `/api/v1/integrations/webhook/${signedKey}`;
    // Pretty-printed: the signature covers these bytes, not a re-serialisation.
    const body = JSON.stringify({ summary: 'Queue backlog', severity: 'warning', id: 'signed-1' }, null, 2);
    const sign = (text: string) => createHmac('sha256', SECRET).update(text).digest('hex');
    const json = { 'content-type': 'application/json' };
    const none = await both(() => path, body, json);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error.code).toBe('unauthorized');
    const wrong = await both(() => path, body, { ...json, 'x-signature': sign(`${body} `) });
    expect(wrong.status).toBe(401);
    fastifyHandled.length = 0;
    const signed = await send(fastUrl, path, body, { ...json, 'x-signature': sign(body) });
    expect(signed.status).toBe(202);
    expect(JSON.parse(signed.body).alerts[0].dedup_key).toBe('signed-1');
    expect(fastifyHandled).toEqual([]);
  });

  it('passes to Fastify what it does not take: other content types, an Authorization header, a cookie, other methods', async () => {
    fastifyHandled.length = 0;
    const text = await both(PD, trigger(pdKey, 'text-1'), { 'content-type': 'text/plain' });
    expect(text.status).toBe(400);
    const xml = await both(PD, '<event/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    const noType = await both(PD, trigger(pdKey, 'none-1'), {});
    expect(noType.status).toBe(415);
    // An unknown API token is refused even on public routes (and counts toward the failure limit).
    const token = await both(PD, trigger(pdKey, 'token-1'), {
      'content-type': 'application/json',
      authorization: 'Bearer tcs_not_a_token',
    });
    expect(token.status).toBe(401);
    const withToken = await send(fastUrl, '/v2/enqueue', trigger(pdKey, 'token-2'), {
      'content-type': 'application/json',
      ...auth(t.adminToken),
    });
    expect(withToken.status).toBe(202);
    const cookie = await send(fastUrl, '/v2/enqueue', trigger(pdKey, 'cookie-1'), {
      'content-type': 'application/json',
      cookie: 'theme=dark',
    });
    expect(cookie.status).toBe(202);
    expect(fastifyHandled.filter((url) => url === '/v2/enqueue').length).toBeGreaterThanOrEqual(4);
    const get = await fetch(`${fastUrl}/v2/enqueue`);
    expect(get.status).toBe(404);
  });

  it('counts its answers in /metrics per route and status, as Fastify does', async () => {
    const count = async (route: string, status: string) => {
      const res = await t.app.inject({ url: '/metrics', headers: auth(t.adminToken) });
      const line = res.body
        .split('\n')
        .find(
          (l) =>
            l.startsWith('tocsin_http_requests_total{') &&
            l.includes(`route="${route}"`) &&
            l.includes(`status="${status}"`) &&
            l.includes('method="POST"'),
        );
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const integration = '/api/v1/integrations/:type/:key';
    const before = {
      accepted: await count('/v2/enqueue', '202'),
      invalid: await count('/v2/enqueue', '400'),
      amAccepted: await count(integration, '202'),
      notFound: await count(integration, '404'),
    };
    await send(fastUrl, '/v2/enqueue', trigger(pdKey, 'metrics-1'));
    await send(fastUrl, '/v2/enqueue', '{');
    await send(fastUrl, `/api/v1/integrations/alertmanager/${amKey}`, amGroup('fa57000000000002'));
    await send(fastUrl, '/api/v1/integrations/alertmanager/0123456789abcdef0123456789abcdef', amGroup('f2'));
    expect(await count('/v2/enqueue', '202')).toBe(before.accepted + 1);
    expect(await count('/v2/enqueue', '400')).toBe(before.invalid + 1);
    expect(await count(integration, '202')).toBe(before.amAccepted + 1);
    expect(await count(integration, '404')).toBe(before.notFound + 1);
  });
});

describe('closing a server while a sender keeps its connection busy', () => {
  it('completes the close, and every request it answered 202 is stored (the others 503)', async () => {
    const server = await buildServer({
      db: t.db,
      clock: t.clock,
      log: pino({ level: 'silent' }),
      metrics: createMetrics(),
      publicUrl: 'http://tocsin.test',
      bodyLimit: BODY_LIMIT,
      version: 'test',
    });
    const url = await server.listen({ port: 0, host: '127.0.0.1' });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const statuses: number[] = [];
    let closed = false;
    // One connection, one request after another, until the server has closed.
    const sender = (async () => {
      for (let i = 0; !closed && i < 10_000; i++) {
        try {
          const res = await send(url, '/v2/enqueue', trigger(pdKey, `closing-${i}`), undefined, { agent });
          statuses.push(res.status);
        } catch {
          break; // the connection was closed: the sender would go elsewhere
        }
      }
    })();
    while (statuses.length < 5) await new Promise((resolve) => setImmediate(resolve));
    await server.close();
    closed = true;
    await sender;
    agent.destroy();
    expect(statuses.length).toBeGreaterThanOrEqual(5);
    expect(statuses.filter((s) => s !== 202 && s !== 503)).toEqual([]);
    // Every 202 was stored.
    const accepted = statuses.filter((s) => s === 202).length;
    const stored = await t.db
      .selectFrom('alerts')
      .select(({ fn }) => fn.countAll<string>().as('n'))
      .where('dedup_key', 'like', 'closing-%')
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(accepted);
  });
});

describe('the inbound fast path when the store is unreachable', () => {
  let down: App;
  let downUrl: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const { db } = connect(`postgres://nobody:x@127.0.0.1:${await freePort()}/none`, 2);
    down = await buildServer({
      db,
      clock: new VirtualClock(),
      log: pino({ level: 'silent' }),
      metrics: createMetrics(),
      publicUrl: 'http://tocsin.test',
      bodyLimit: BODY_LIMIT,
      version: 'test',
    });
    downUrl = await down.listen({ port: 0, host: '127.0.0.1' });
    close = async () => {
      await down.close();
      await db.destroy();
    };
  });
  afterAll(() => close());

  it('answers 503 with Retry-After at both endpoints, each in its own format', async () => {
    fastifyHandled.length = 0;
    const pd = await send(downUrl, '/v2/enqueue', trigger('0123456789abcdef0123456789abcdef', 'k'));
    expect(pd.status).toBe(503);
    expect(pd.headers['retry-after']).toBe('1');
    expect(JSON.parse(pd.body)).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/unavailable/),
    });
    const am = await send(
      downUrl,
      '/api/v1/integrations/alertmanager/0123456789abcdef0123456789abcdef',
      amGroup('f3'),
    );
    expect(am.status).toBe(503);
    expect(am.headers['retry-after']).toBe('1');
    expect(JSON.parse(am.body).error.code).toBe('unavailable');
    expect(fastifyHandled).toEqual([]);
  });
});
