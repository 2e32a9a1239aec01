import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { Engine } from '../../engine/engine.ts';
import type { ProbeModule } from '../../engine/http-checks.ts';
import { vendorStatusModule } from '../../engine/vendor-status.ts';
import { saveService } from '../services/save-service.ts';
import { readPage, type StatuspageSummary, statuspageSummarySchema, summaryUrl } from './vendor-status.ts';

// Vendor status watches end to end: a local server serves a Statuspage v2 summary.json (the
// documented shape, fixtures/statuspage-summary.json) whose component statuses the tests change.

const MINUTE = 60_000;
const FIXTURE = JSON.parse(
  readFileSync(new URL('./fixtures/statuspage-summary.json', import.meta.url), 'utf8'),
) as StatuspageSummary & { components: { name: string; status: string }[] };

let t: TestApp;
let manager: string;
let module: ProbeModule;
let engine: Engine;

let statuses: Record<string, string> = {};
let mode: 'ok' | 'http-500' | 'html' | 'not-statuspage' = 'ok';
let hits = 0;
/** A page served as written, with the escapes JSON allows and PostgreSQL's jsonb refuses. */
let rawPage = '';
const vendor = Fastify();
let base = '';

beforeAll(async () => {
  vendor.get('/api/v2/summary.json', async (_request, reply) => {
    hits++;
    if (mode === 'http-500') return reply.status(500).send('oops');
    if (mode === 'html') return reply.type('text/html').send('<html>maintenance</html>');
    if (mode === 'not-statuspage') return { status: 'fine' };
    return {
      ...FIXTURE,
      components: FIXTURE.components.map((c) => ({ ...c, status: statuses[c.name] ?? c.status })),
    };
  });
  vendor.get('/raw/api/v2/summary.json', async (_request, reply) =>
    reply.type('application/json').send(rawPage),
  );
  await vendor.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(vendor.server.address() as AddressInfo).port}`;

  t = await testApp();
  manager = await t.tokenFor('manager');
  await saveService({ ctx: t.ctx(), input: { service: { name: 'jobs' }, mode: 'create' } });
  module = vendorStatusModule({ policy: { allowPrivate: true } });
  engine = new Engine({ db: t.db, clock: t.clock }, [module]);
});
afterAll(async () => {
  await module.idle();
  await t.close();
  await vendor.close();
});

async function runDue(e: Engine = engine, m: ProbeModule = module) {
  await e.runUntilIdle();
  await m.idle();
}

function create(body: Record<string, unknown>, token = manager) {
  return t.app.inject({ method: 'POST', url: '/api/v1/vendor-watches', headers: auth(token), payload: body });
}

async function watch(name: string) {
  return (await t.app.inject({ url: `/api/v1/vendor-watches/${name}`, headers: auth(manager) })).json()
    .vendor_watch;
}

async function alertsOf(name: string) {
  return t.db
    .selectFrom('alerts')
    .select(['dedup_key', 'status', 'severity', 'summary', 'count', 'component'])
    .where('dedup_key', 'like', `vendor:${name}:%`)
    .orderBy('id')
    .execute();
}

describe('vendor status watches', () => {
  it('raise an alert per watched component that is not operational, by severity, and resolve it', async () => {
    const res = await create({
      service: 'jobs',
      name: 'acme',
      url: base,
      components: ['Git Operations', 'API Requests', 'transactional email'],
      interval: '2m',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().vendor_watch).toMatchObject({
      service: 'jobs',
      name: 'acme',
      summary_url: `${base}/api/v2/summary.json`,
      components: ['Git Operations', 'API Requests', 'transactional email'],
      interval: '2m',
      state: 'new',
    });

    await runDue();
    expect(await watch('acme')).toMatchObject({
      state: 'ok',
      page_name: 'Acme Cloud',
      component_status: {
        'Git Operations': 'operational',
        'API Requests': 'operational',
        'transactional email': 'operational',
      },
      last_error: null,
    });
    expect(await alertsOf('acme')).toEqual([]);

    statuses = {
      'Git Operations': 'major_outage',
      'API Requests': 'degraded_performance',
      Webhooks: 'partial_outage', // not watched
      'Transactional email': 'under_maintenance',
    };
    t.clock.advance(MINUTE);
    await runDue(); // not due yet
    expect(hits).toBe(1);
    t.clock.advance(MINUTE);
    await runDue();
    expect(await alertsOf('acme')).toEqual([
      {
        dedup_key: 'vendor:acme:API Requests',
        status: 'triggered',
        severity: 'warning',
        summary: 'Acme Cloud: API Requests is degraded performance',
        count: 1,
        component: 'API Requests',
      },
      {
        dedup_key: 'vendor:acme:Git Operations',
        status: 'triggered',
        severity: 'critical',
        summary: 'Acme Cloud: Git Operations is major outage',
        count: 1,
        component: 'Git Operations',
      },
      {
        dedup_key: 'vendor:acme:transactional email',
        status: 'triggered',
        severity: 'info',
        summary: 'Acme Cloud: transactional email is under maintenance',
        count: 1,
        component: 'transactional email',
      },
    ]);

    // Worse, then better: one alert each, its severity following the status.
    statuses = { 'Git Operations': 'partial_outage', 'API Requests': 'major_outage' };
    t.clock.advance(2 * MINUTE);
    await runDue();
    expect((await alertsOf('acme')).map((a) => [a.component, a.status, a.severity, a.count])).toEqual([
      ['API Requests', 'triggered', 'critical', 2],
      ['Git Operations', 'triggered', 'error', 2],
      ['transactional email', 'resolved', 'info', 1],
    ]);

    statuses = {};
    t.clock.advance(2 * MINUTE);
    await runDue();
    expect((await alertsOf('acme')).map((a) => a.status)).toEqual(['resolved', 'resolved', 'resolved']);
  });

  it('leave alerts alone while the page cannot be read, and say why', async () => {
    statuses = { 'Git Operations': 'major_outage' };
    t.clock.advance(2 * MINUTE);
    await runDue();
    const open = (await alertsOf('acme')).filter((a) => a.status === 'triggered');
    expect(open.map((a) => a.component)).toEqual(['Git Operations']);
    for (const [m, reason] of [
      ['http-500', 'the status page answered HTTP 500'],
      ['html', 'the status page did not answer JSON'],
      [
        'not-statuspage',
        'not a Statuspage v2 summary (components: Invalid input: expected array, received undefined)',
      ],
    ] as const) {
      mode = m;
      t.clock.advance(2 * MINUTE);
      await runDue();
      expect(await watch('acme'), m).toMatchObject({ state: 'error', last_error: reason });
      expect((await alertsOf('acme')).filter((a) => a.status === 'triggered')).toEqual(open);
    }
    mode = 'ok';
    statuses = {};
    t.clock.advance(2 * MINUTE);
    await runDue();
    expect(await watch('acme')).toMatchObject({ state: 'ok', last_error: null });
    expect((await alertsOf('acme')).filter((a) => a.status === 'triggered')).toEqual([]);
  });

  it('watch every component but groups when none is named, and report watched names the page lacks', async () => {
    await create({ service: 'jobs', name: 'acme-all', url: `${base}/api/v2/summary.json` });
    await create({
      service: 'jobs',
      name: 'acme-typo',
      url: base,
      components: ['Git Operations', 'Gti Operations'],
    });
    await runDue();
    // jsonb keeps keys in its own order.
    expect(Object.keys((await watch('acme-all')).component_status).sort()).toEqual([
      'API Requests',
      'Git Operations',
      'Marketing email',
      'Transactional email',
      'Webhooks',
    ]);
    expect(await watch('acme-typo')).toMatchObject({
      state: 'ok',
      last_error: 'not on the page: Gti Operations',
    });
  });

  it('read each page once per interval however many engines tick', async () => {
    const others = [1, 2].map(() => vendorStatusModule({ policy: { allowPrivate: true } }));
    const engines = others.map((m) => new Engine({ db: t.db, clock: t.clock }, [m]));
    const all = async () => {
      await Promise.all([engine, ...engines].map((e) => e.runUntilIdle()));
      await Promise.all([module, ...others].map((m) => m.idle()));
    };
    t.clock.advance(10 * MINUTE); // every watch is due
    const before = hits;
    await all();
    expect(hits - before).toBe(3);
    await all();
    expect(hits - before).toBe(3);
  });

  it('refuse a private status page without TOCSIN_ALLOW_PRIVATE_WEBHOOKS', async () => {
    const strict = vendorStatusModule({ policy: { allowPrivate: false } });
    t.clock.advance(10 * MINUTE);
    const before = hits;
    await runDue(new Engine({ db: t.db, clock: t.clock }, [strict]), strict);
    expect(hits).toBe(before);
    expect((await watch('acme')).last_error).toMatch(/^refused: 127\.0\.0\.1 is a loopback address/);
  });
});

describe('the vendor watches API', () => {
  it('validates with field paths, checks permissions and stores nothing on error', async () => {
    const count = async () => (await t.db.selectFrom('vendor_watches').select('id').execute()).length;
    const before = await count();
    const bad = await create({
      service: 'jobs',
      name: 'x',
      url: 'gopher://x',
      components: [''],
      interval: '5s',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([
      { path: 'body.url', message: 'must be an http(s) URL' },
      { path: 'body.components.0', message: expect.any(String) },
      { path: 'body.interval', message: 'must be at least 30s' },
      { path: 'body.timeout', message: 'must be shorter than the interval' },
    ]);
    expect((await create({ service: 'nope', name: 'x', url: base })).json().error.details).toEqual([
      { path: 'service', message: 'no service named "nope"' },
    ]);
    expect((await create({ service: 'jobs', name: 'acme', url: base })).statusCode).toBe(409);
    const responder = await t.tokenFor('responder');
    expect((await create({ service: 'jobs', name: 'y', url: base }, responder)).statusCode).toBe(403);
    expect(await count()).toBe(before);
    const list = await t.app.inject({ url: '/api/v1/vendor-watches?service=jobs', headers: auth(responder) });
    expect(list.json().vendor_watches.map((w: { name: string }) => w.name)).toEqual([
      'acme',
      'acme-all',
      'acme-typo',
    ]);
  });

  it('resolves the open alerts of a watch it deletes', async () => {
    statuses = { Webhooks: 'major_outage' };
    t.clock.advance(10 * MINUTE);
    await runDue();
    expect((await alertsOf('acme-all')).map((a) => [a.component, a.status])).toEqual([
      ['Webhooks', 'triggered'],
    ]);
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/vendor-watches/acme-all',
      headers: auth(manager),
    });
    expect(res.statusCode).toBe(200);
    expect((await alertsOf('acme-all')).map((a) => a.status)).toEqual(['resolved']);
    expect(
      (await t.app.inject({ url: '/api/v1/vendor-watches/acme-all', headers: auth(manager) })).statusCode,
    ).toBe(404);
    statuses = {};
  });
});

describe('a page with text PostgreSQL cannot store', () => {
  it('is recorded and raises its alerts, NUL and broken Unicode written as U+FFFD, on every reading', async () => {
    // JSON allows \u0000 and a lone surrogate (\ud800); PostgreSQL's text refuses the first and its
    // jsonb both. The page's words reach page_name, component_status (jsonb), the alerts' summary,
    // labels, details and raw: before, the record failed on every interval (logged, nothing stored),
    // so the watch never moved from its last state and the outage it showed raised no alert.
    rawPage = String.raw`{"page":{"name":"Acme\u0000Cloud"},"components":[
      {"name":"Queue\u0000s","status":"major_outage"},
      {"name":"Lone \ud800","status":"partial\u0000outage"},
      {"name":"Search","status":"operational"}]}`;
    await create({ service: 'jobs', name: 'acme-raw', url: `${base}/raw` });
    t.clock.advance(10 * MINUTE);
    await runDue();
    expect(await watch('acme-raw')).toMatchObject({
      state: 'ok',
      page_name: 'Acme\uFFFDCloud',
      component_status: {
        'Queue\uFFFDs': 'major_outage',
        'Lone \uFFFD': 'partial\uFFFDoutage',
        Search: 'operational',
      },
      last_error: null,
    });
    expect(await alertsOf('acme-raw')).toEqual([
      {
        dedup_key: 'vendor:acme-raw:Lone \uFFFD',
        status: 'triggered',
        severity: 'warning',
        summary: 'Acme\uFFFDCloud: Lone \uFFFD is partial\uFFFDoutage',
        count: 1,
        component: 'Lone \uFFFD',
      },
      {
        dedup_key: 'vendor:acme-raw:Queue\uFFFDs',
        status: 'triggered',
        severity: 'critical',
        summary: 'Acme\uFFFDCloud: Queue\uFFFDs is major outage',
        count: 1,
        component: 'Queue\uFFFDs',
      },
    ]);
    // The next reading finds them again (same keys) and resolves what recovered.
    rawPage = rawPage.replace('major_outage', 'operational');
    t.clock.advance(10 * MINUTE);
    await runDue();
    expect((await alertsOf('acme-raw')).map((a) => [a.component, a.status, a.count])).toEqual([
      ['Lone \uFFFD', 'triggered', 2],
      ['Queue\uFFFDs', 'resolved', 1],
    ]);
  });
});

describe('reading a page', () => {
  it('takes the worst status of a name shown twice and finds the summary URL', () => {
    const page = statuspageSummarySchema.parse({
      components: [
        { name: 'API', status: 'degraded_performance' },
        { name: 'API', status: 'major_outage', group_id: 'eu' },
        { name: 'CDN', status: 'operational' },
      ],
    });
    expect(readPage(page, ['api', 'cdn'])).toEqual({
      pageName: null,
      statuses: { api: 'major_outage', cdn: 'operational' },
      missing: [],
    });
    expect(summaryUrl('https://www.githubstatus.com')).toBe(
      'https://www.githubstatus.com/api/v2/summary.json',
    );
    expect(summaryUrl('https://tocsin.example/status/')).toBe(
      'https://tocsin.example/status/api/v2/summary.json',
    );
    expect(summaryUrl('https://x.example/custom.json')).toBe('https://x.example/custom.json');
  });
});
