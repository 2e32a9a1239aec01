import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { Engine } from '../../engine/engine.ts';
import { httpChecksModule, type ProbeModule } from '../../engine/http-checks.ts';
import { saveService } from '../services/save-service.ts';
import { judgeAnswer } from './checks.ts';
import { describeFailure, isLatestRun, type ProbeTimer } from './probes.ts';
import { claimDueChecks } from './queries.ts';

// HTTP checks end to end: a real Fastify server on 127.0.0.1 as the target, the engine on the
// virtual clock for scheduling. A request's latency and deadline are real time in production; here a
// test timer stands in for them, so a busy machine changes no verdict and nothing waits out a timeout.

const MINUTE = 60_000;
let t: TestApp;
let manager: string;
let module: ProbeModule;
let engine: Engine;

// The target. `mode` decides how /health answers; `held` keeps /held requests waiting.
type Mode = 'up' | 'error' | 'wrong-body' | 'slow' | 'hang';
let mode: Mode = 'up';
const hits: Record<string, number> = {};
let release: (() => void) | undefined;
let releaseHang: (() => void) | undefined;
const target = Fastify();
let base = '';

// The test timer: `elapsedMs` is what the stopwatch reads (the target moves it on when it answers
// slowly); `expire()` ends every pending deadline, as if it had passed.
let elapsedMs = 0;
const deadlines = new Set<AbortController>();
function expire() {
  for (const d of deadlines) d.abort(new DOMException('the deadline passed', 'TimeoutError'));
  deadlines.clear();
}
const timer: ProbeTimer = {
  start() {
    const started = elapsedMs;
    return () => elapsedMs - started;
  },
  deadline() {
    const d = new AbortController();
    deadlines.add(d);
    return d.signal;
  },
};
// Resolves when the target receives a request for `path` (an event, not a polling loop).
const arrivals = new Map<string, () => void>();
const arrival = (path: string) => new Promise<void>((resolve) => arrivals.set(path, resolve));

beforeAll(async () => {
  target.addHook('onRequest', async (request) => {
    hits[request.url] = (hits[request.url] ?? 0) + 1;
    arrivals.get(request.url)?.();
  });
  target.get('/health', async (_request, reply) => {
    if (mode === 'error') return reply.status(503).send('db down');
    if (mode === 'wrong-body') return 'status: degraded';
    if (mode === 'slow') elapsedMs += 300;
    // Never answers on its own: the check's own deadline must end the wait.
    if (mode === 'hang') {
      const answered = new Promise<void>((resolve) => (releaseHang = resolve));
      expire();
      await answered;
    }
    return 'status: ok';
  });
  target.get('/counted', async () => 'ok');
  target.get('/held', () => new Promise<string>((resolve) => (release = () => resolve('ok'))));
  target.get('/moved', async (_request, reply) => reply.redirect('/health', 301));
  await target.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(target.server.address() as AddressInfo).port}`;

  t = await testApp();
  manager = await t.tokenFor('manager');
  await saveService({ ctx: t.ctx(), input: { service: { name: 'api' }, mode: 'create' } });
  // Tests target loopback: private addresses are allowed here (one test checks the refusal).
  module = httpChecksModule({ policy: { allowPrivate: true }, timer });
  engine = new Engine({ db: t.db, clock: t.clock }, [module]);
});
afterAll(async () => {
  await module.idle();
  await t.close();
  await target.close();
});

/** Runs what is due, and waits for the requests it started to be recorded. */
async function runDue(e: Engine = engine, m: ProbeModule = module) {
  await e.runUntilIdle();
  await m.idle();
}

async function create(body: Record<string, unknown>, token = manager) {
  return t.app.inject({ method: 'POST', url: '/api/v1/checks', headers: auth(token), payload: body });
}

async function check(name: string) {
  const res = await t.app.inject({ url: `/api/v1/checks/${name}`, headers: auth(manager) });
  return res.json().check;
}

async function alertsOf(name: string) {
  return t.db
    .selectFrom('alerts')
    .select(['dedup_key', 'status', 'summary', 'severity', 'count', 'source', 'integration_id'])
    .where('dedup_key', '=', `check:${name}`)
    .orderBy('id')
    .execute();
}

describe('HTTP checks', () => {
  it('raise an alert on a wrong status, body or latency, keep it while failing and resolve it when back', async () => {
    const created = await create({
      service: 'api',
      name: 'api-health',
      url: `${base}/health`,
      body_contains: 'status: ok',
      max_latency_ms: 200,
      timeout: '1s',
      severity: 'critical',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().check).toMatchObject({
      service: 'api',
      name: 'api-health',
      method: 'GET',
      interval: '1m',
      timeout: '1s',
      expected_status: 200,
      state: 'new',
      next_run_at: t.clock.now().toISOString(),
    });

    await runDue(); // due at once
    expect(await check('api-health')).toMatchObject({ state: 'up', last_status: 200, last_error: null });
    expect(await alertsOf('api-health')).toEqual([]);

    mode = 'error';
    await runDue(); // not due again before its interval
    expect(hits['/health']).toBe(1);
    t.clock.advance(MINUTE);
    await runDue();
    expect(await check('api-health')).toMatchObject({
      state: 'down',
      last_status: 503,
      last_error: 'expected status 200, got 503',
      last_run_at: t.clock.now().toISOString(),
      next_run_at: new Date(t.clock.now().getTime() + MINUTE).toISOString(),
    });
    expect(await alertsOf('api-health')).toEqual([
      {
        dedup_key: 'check:api-health',
        status: 'triggered',
        summary: 'Check api-health of api is failing: expected status 200, got 503',
        severity: 'critical',
        count: 1,
        source: `${base}/health`,
        integration_id: null,
      },
    ]);

    mode = 'wrong-body';
    t.clock.advance(MINUTE);
    await runDue();
    mode = 'slow';
    t.clock.advance(MINUTE);
    await runDue();
    const [still, ...none] = await alertsOf('api-health');
    expect(none).toEqual([]);
    expect(still).toMatchObject({ status: 'triggered', count: 3 });
    expect(still?.summary).toBe(
      'Check api-health of api is failing: answered in 300 ms, over the 200 ms limit',
    );
    const events = await t.db
      .selectFrom('alert_events')
      .innerJoin('alerts', 'alerts.id', 'alert_events.alert_id')
      .select(['kind', 'data'])
      .where('alerts.dedup_key', '=', 'check:api-health')
      .orderBy('alert_events.id')
      .execute();
    expect(events.map((e) => e.kind)).toEqual(['trigger', 'repeat', 'repeat']);

    mode = 'hang';
    t.clock.advance(MINUTE);
    await runDue();
    expect((await check('api-health')).last_error).toBe('no answer within 1s');
    releaseHang?.();

    mode = 'up';
    t.clock.advance(MINUTE);
    await runDue();
    expect(await check('api-health')).toMatchObject({ state: 'up', last_error: null });
    expect((await alertsOf('api-health')).map((a) => a.status)).toEqual(['resolved']);

    mode = 'error';
    t.clock.advance(MINUTE);
    await runDue();
    expect((await alertsOf('api-health')).map((a) => a.status)).toEqual(['resolved', 'triggered']);
    mode = 'up';
  });

  it('raise an alert when nothing listens', async () => {
    // A port that was free a moment ago: connection refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    await create({ service: 'api', name: 'nothing-there', url: `http://127.0.0.1:${port}/` });
    await runDue();
    expect(await check('nothing-there')).toMatchObject({
      state: 'down',
      last_status: null,
      last_error: 'connection refused',
    });
    expect(await alertsOf('nothing-there')).toMatchObject([
      {
        status: 'triggered',
        severity: 'error',
        summary: 'Check nothing-there of api is failing: connection refused',
      },
    ]);
  });

  it('follow redirects, unless the check expects the redirect itself', async () => {
    await create({ service: 'api', name: 'follows', url: `${base}/moved` });
    await create({ service: 'api', name: 'expects-301', url: `${base}/moved`, expected_status: 301 });
    await runDue();
    expect(await check('follows')).toMatchObject({ state: 'up', last_status: 200 });
    expect(await check('expects-301')).toMatchObject({ state: 'up', last_status: 301 });
  });

  it('make the request outside the engine’s transaction', async () => {
    await create({ service: 'api', name: 'held', url: `${base}/held` });
    const arrived = arrival('/held');
    // The tick returns (its transaction committed) while the request is still unanswered.
    await engine.runUntilIdle();
    await arrived;
    expect(hits['/held']).toBe(1);
    const claimed = await t.db
      .selectFrom('checks')
      .select(['run_seq', 'recorded_seq'])
      .where('name', '=', 'held')
      .executeTakeFirstOrThrow();
    expect(claimed).toEqual({ run_seq: '1', recorded_seq: '0' });
    const { rows: open } = await sql<{ state: string }>`
      select state from pg_stat_activity
      where datname = current_database() and state like 'idle in transaction%'`.execute(t.db);
    expect(open).toEqual([]);
    release?.();
    await module.idle();
    expect(await check('held')).toMatchObject({ state: 'up' });
    await t.app.inject({ method: 'DELETE', url: '/api/v1/checks/held', headers: auth(manager) });
  });

  it('run once per interval however many engines tick', async () => {
    await create({ service: 'api', name: 'counted', url: `${base}/counted`, interval: '2m' });
    const others = [1, 2].map(() => httpChecksModule({ policy: { allowPrivate: true }, timer }));
    const engines = others.map((m) => new Engine({ db: t.db, clock: t.clock }, [m]));
    const all = async () => {
      await Promise.all([engine, ...engines].map((e) => e.runUntilIdle()));
      await Promise.all([module, ...others].map((m) => m.idle()));
    };
    await all();
    expect(hits['/counted']).toBe(1);
    t.clock.advance(MINUTE);
    await all();
    expect(hits['/counted']).toBe(1);
    t.clock.advance(MINUTE);
    await all();
    expect(hits['/counted']).toBe(2);
    // Even without the engine's advisory lock: claims from parallel transactions skip each other.
    t.clock.advance(2 * MINUTE);
    const now = t.clock.now();
    const claims = await Promise.all(
      [1, 2, 3].map(() =>
        t.db.transaction().execute(async (tx) => {
          const rows = await claimDueChecks(tx, now, 100);
          return rows.filter((r) => r.name === 'counted').length;
        }),
      ),
    );
    expect(claims.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('refuse private targets without TOCSIN_ALLOW_PRIVATE_WEBHOOKS, and say why', async () => {
    const strict = httpChecksModule({ policy: { allowPrivate: false }, timer });
    const strictEngine = new Engine({ db: t.db, clock: t.clock }, [strict]);
    const before = hits['/counted'] ?? 0;
    await create({ service: 'api', name: 'private', url: `${base}/counted`, interval: '1d' });
    await runDue(strictEngine, strict);
    expect(hits['/counted'] ?? 0).toBe(before);
    expect((await check('private')).last_error).toBe(
      'refused: 127.0.0.1 is a loopback address; list it in TOCSIN_OUTBOUND_ALLOW or set TOCSIN_ALLOW_PRIVATE_WEBHOOKS=true to allow private targets',
    );
    // Everything else due was claimed by the strict engine too; let the others settle.
    await runDue();
  });
});

describe('the checks API', () => {
  it('validates a check with field paths and stores nothing on error', async () => {
    const cases: [Record<string, unknown>, { path: string; message: string }[]][] = [
      [
        { service: 'api', name: 'x', url: 'ftp://example.com/' },
        [{ path: 'body.url', message: 'must be an http(s) URL' }],
      ],
      [
        { service: 'api', name: 'x', url: 'https://example.com/', interval: '1m', timeout: '2m' },
        [{ path: 'body.timeout', message: 'must be shorter than the interval' }],
      ],
      [
        { service: 'api', name: 'x', url: 'https://example.com/', interval: '1s' },
        [
          { path: 'body.interval', message: 'must be at least 10s' },
          { path: 'body.timeout', message: 'must be shorter than the interval' },
        ],
      ],
      [
        { service: 'api', name: 'x', url: 'https://example.com/', expected_status: 42 },
        [{ path: 'body.expected_status', message: expect.any(String) }],
      ],
      [
        { service: 'api', name: 'x', url: 'https://example.com/', colour: 'red' },
        [{ path: 'body.colour', message: 'unknown field' }],
      ],
      [
        { service: 'api', name: 'Bad Name', url: 'https://example.com/' },
        [{ path: 'body.name', message: expect.any(String) }],
      ],
    ];
    const count = async () => (await t.db.selectFrom('checks').select('id').execute()).length;
    const before = await count();
    for (const [body, details] of cases) {
      const res = await create(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.details).toEqual(details);
    }
    const unknown = await create({ service: 'nope', name: 'x', url: 'https://example.com/' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details).toEqual([{ path: 'service', message: 'no service named "nope"' }]);
    expect(
      (await create({ service: 'api', name: 'api-health', url: 'https://example.com/' })).statusCode,
    ).toBe(409);
    expect(await count()).toBe(before);
  });

  it('lets managers create and delete checks, and everyone with a token read them', async () => {
    const responder = await t.tokenFor('responder');
    expect(
      (await create({ service: 'api', name: 'nope', url: 'https://example.com/' }, responder)).statusCode,
    ).toBe(403);
    const list = await t.app.inject({ url: '/api/v1/checks?service=api', headers: auth(responder) });
    expect(list.statusCode).toBe(200);
    expect(list.json().checks.map((c: { name: string }) => c.name)).toContain('api-health');
    expect(
      (await t.app.inject({ url: '/api/v1/checks?service=nope', headers: auth(responder) })).statusCode,
    ).toBe(404);
    expect((await t.app.inject({ url: '/api/v1/checks/nope', headers: auth(responder) })).statusCode).toBe(
      404,
    );
    const denied = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/checks/counted',
      headers: auth(responder),
    });
    expect(denied.statusCode).toBe(403);
  });

  it('resolves the open alert of a check it deletes', async () => {
    expect((await alertsOf('nothing-there')).map((a) => a.status)).toEqual(['triggered']);
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/checks/nothing-there',
      headers: auth(manager),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().check.name).toBe('nothing-there');
    expect((await alertsOf('nothing-there')).map((a) => a.status)).toEqual(['resolved']);
    expect(
      (await t.app.inject({ url: '/api/v1/checks/nothing-there', headers: auth(manager) })).statusCode,
    ).toBe(404);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'check')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toContain('check.deleted');
  });
});

describe('pure rules', () => {
  it('judge answers in order: status, body, latency', () => {
    const check = { expected_status: 200, body_contains: 'ok', max_latency_ms: 100 };
    expect(judgeAnswer(check, { status: 200, latencyMs: 50, body: 'all ok' })).toBeNull();
    expect(judgeAnswer(check, { status: 500, latencyMs: 500, body: '' })).toBe(
      'expected status 200, got 500',
    );
    expect(judgeAnswer(check, { status: 200, latencyMs: 500, body: 'bad' })).toBe(
      'the body does not contain "ok"',
    );
    expect(judgeAnswer(check, { status: 200, latencyMs: 500, body: 'ok' })).toBe(
      'answered in 500 ms, over the 100 ms limit',
    );
  });

  it('record only results newer than the last recorded, of claims that committed', () => {
    expect(isLatestRun({ run_seq: '3', recorded_seq: '2' }, '3')).toBe(true);
    expect(isLatestRun({ run_seq: '4', recorded_seq: '2' }, '3')).toBe(true); // the next run is out, not in
    expect(isLatestRun({ run_seq: '4', recorded_seq: '4' }, '3')).toBe(false); // a later run recorded first
    expect(isLatestRun({ run_seq: '2', recorded_seq: '2' }, '3')).toBe(false); // its claim rolled back
  });

  it('describe a failure in words PostgreSQL stores, whatever the message quotes', () => {
    // The fallback passes an error's own message on, which may quote the other side; it is stored as
    // last_error and in the alert (text and jsonb), which refuse NUL and lone surrogates.
    expect(describeFailure(new Error('bad header "x\u0000y\ud800"'), 1000)).toBe(
      'bad header "x\uFFFDy\uFFFD"',
    );
    const tls = Object.assign(new Error('fetch failed'), {
      cause: { code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'not in DNS:a\u0000b' },
    });
    expect(describeFailure(tls, 1000)).toBe('TLS error: not in DNS:a\uFFFDb');
  });
});
