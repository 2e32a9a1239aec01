import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { Engine } from '../../engine/engine.ts';
import { heartbeatsModule } from '../../engine/heartbeats.ts';
import { createIntegration } from '../services/create-integration.ts';
import { saveService } from '../services/save-service.ts';
import { checkHeartbeats } from './check-heartbeats.ts';

const MINUTE = 60_000;
let t: TestApp;
let engine: Engine;

beforeAll(async () => {
  t = await testApp();
  engine = new Engine({ db: t.db, clock: t.clock }, [heartbeatsModule()]);
});
afterAll(() => t.close());

/** A service with one heartbeat integration (interval 5m, grace 1m unless given); returns its key. */
async function heartbeat(service: string, config: Record<string, unknown> = { interval: '5m', grace: '1m' }) {
  await saveService({ ctx: t.ctx(), input: { service: { name: service }, mode: 'create' } });
  const created = await createIntegration({
    ctx: t.ctx(),
    input: { service, type: 'heartbeat', name: 'nightly', config },
  });
  return created.key;
}

function ping(key: string, method: 'GET' | 'POST' = 'GET', body?: { type: string; payload: string }) {
  return t.app.inject({
    method,
    url: `/api/v1/heartbeats/${key}`,
    ...(body ? { headers: { 'content-type': body.type }, payload: body.payload } : {}),
  });
}

async function alertsOf(service: string) {
  return t.db
    .selectFrom('alerts')
    .innerJoin('services', 'services.id', 'alerts.service_id')
    .select(['alerts.id', 'dedup_key', 'status', 'severity', 'summary', 'count', 'started_at'])
    .where('services.name', '=', service)
    .orderBy('alerts.id')
    .execute();
}

describe('heartbeat integrations', () => {
  it('need a valid interval when created', async () => {
    await saveService({ ctx: t.ctx(), input: { service: { name: 'hb-config' }, mode: 'create' } });
    const post = (payload: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/services/hb-config/integrations',
        headers: auth(t.adminToken),
        payload,
      });
    const missing = await post({ type: 'heartbeat' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details).toEqual([{ path: 'config.interval', message: 'required' }]);
    const bad = await post({ type: 'heartbeat', config: { interval: 'soon', grace: '0s', colour: 'red' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([
      { path: 'config.interval', message: 'not a duration (use 90s, 15m, 4h, 2d, 1w)' },
      { path: 'config.colour', message: 'unknown field' },
    ]);
    const zero = await post({ type: 'heartbeat', config: { interval: '0s' } });
    expect(zero.json().error.details).toEqual([
      { path: 'config.interval', message: 'must be longer than 0s' },
    ]);
    const stored = await t.db
      .selectFrom('integrations')
      .select('id')
      .where('type', '=', 'heartbeat')
      .execute();
    expect(stored).toEqual([]);

    const ok = await post({ type: 'heartbeat', name: 'cron', config: { interval: '1d' } });
    expect(ok.statusCode).toBe(201);
    const { integration } = ok.json();
    expect(integration.config).toEqual({ interval: '1d', grace: '0s' });
    expect(integration.url).toBe(`http://tocsin.test/api/v1/heartbeats/${integration.key}`);
  });

  it('answer pings by GET or POST with any body, without a token; unknown keys get a 404', async () => {
    const key = await heartbeat('hb-ping');
    const first = await ping(key);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      status: 'ok',
      heartbeat: {
        name: 'nightly',
        service: 'hb-ping',
        previous: 'new',
        last_ping_at: t.clock.now().toISOString(),
        expected_by: new Date(t.clock.now().getTime() + 6 * MINUTE).toISOString(),
      },
    });
    for (const body of [
      { type: 'text/plain', payload: 'backup done in 42s' },
      { type: 'application/x-www-form-urlencoded', payload: 'a=1&b=2' },
      { type: 'application/json', payload: '{ not json' },
    ]) {
      const res = await ping(key, 'POST', body);
      expect(res.statusCode, body.type).toBe(200);
      expect(res.json().heartbeat.previous).toBe('up');
    }
    const row = await t.db.selectFrom('heartbeats').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'up', pings: '4' });

    const unknown = await ping('0123456789abcdef0123456789abcdef');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'not_found', message: 'heartbeat "0123…" not found' });
    // A key of another type of integration is not a heartbeat.
    const pd = await createIntegration({ ctx: t.ctx(), input: { service: 'hb-ping', type: 'pagerduty' } });
    expect((await ping(pd.key, 'POST')).statusCode).toBe(404);
  });

  it('raise one alert when silent, resolve it on the next ping and raise a new one after a new silence', async () => {
    const key = await heartbeat('hb-silent');
    const start = t.clock.now();
    await ping(key);
    t.clock.advance(6 * MINUTE); // interval + grace: just on time
    await engine.runUntilIdle();
    expect(await alertsOf('hb-silent')).toEqual([]);

    t.clock.advance(1000);
    await engine.runUntilIdle();
    t.clock.advance(30 * MINUTE);
    await engine.runUntilIdle(); // still silent: the same alert, not another one
    const [alert, ...more] = await alertsOf('hb-silent');
    expect(more).toEqual([]);
    expect(alert).toMatchObject({
      dedup_key: 'heartbeat:nightly',
      status: 'triggered',
      severity: 'error',
      summary: `Heartbeat nightly of hb-silent is silent since ${start.toISOString()}`,
      count: 1,
      started_at: new Date(start.getTime() + 6 * MINUTE),
    });

    const back = await ping(key, 'POST');
    expect(back.json().heartbeat.previous).toBe('down');
    // Resolved by the ping itself, before the engine runs again.
    expect((await alertsOf('hb-silent'))[0]?.status).toBe('resolved');
    const events = await t.db
      .selectFrom('alert_events')
      .select(['kind', 'actor'])
      .where('alert_id', '=', alert?.id as string)
      .orderBy('id')
      .execute();
    expect(events).toEqual([
      { kind: 'trigger', actor: 'integration:nightly' },
      { kind: 'resolve', actor: 'integration:nightly' },
    ]);

    t.clock.advance(5 * MINUTE);
    await engine.runUntilIdle();
    expect((await alertsOf('hb-silent')).map((a) => a.status)).toEqual(['resolved']);
    t.clock.advance(2 * MINUTE);
    await engine.runUntilIdle();
    expect((await alertsOf('hb-silent')).map((a) => a.status)).toEqual(['resolved', 'triggered']);
  });

  it('count a heartbeat that never pinged from its creation', async () => {
    const created = t.clock.now();
    await heartbeat('hb-never', { interval: '1h' });
    t.clock.advance(60 * MINUTE);
    await engine.runUntilIdle();
    expect(await alertsOf('hb-never')).toEqual([]);
    t.clock.advance(1000);
    await engine.runUntilIdle();
    expect(await alertsOf('hb-never')).toMatchObject([
      {
        status: 'triggered',
        summary: `Heartbeat nightly of hb-never is silent since ${created.toISOString()}`,
      },
    ]);
  });

  it('raise one alert when two engines tick at once', async () => {
    await heartbeat('hb-twice');
    t.clock.advance(7 * MINUTE);
    const other = new Engine({ db: t.db, clock: t.clock }, [heartbeatsModule()]);
    await Promise.all([engine.runUntilIdle(), other.runUntilIdle()]);
    expect(await alertsOf('hb-twice')).toMatchObject([{ status: 'triggered', count: 1 }]);
  });

  it('raise one alert even without the engine lock, from two transactions at once', async () => {
    await heartbeat('hb-race');
    t.clock.advance(7 * MINUTE);
    const now = t.clock.now();
    // Both read the heartbeat as silent before either marks it down; the conditional update decides.
    const raised = await Promise.all(
      [1, 2].map(() => t.db.transaction().execute((tx) => checkHeartbeats({ tx, clock: t.clock, now }))),
    );
    expect(raised.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await alertsOf('hb-race')).toMatchObject([{ status: 'triggered', count: 1 }]);
  });

  it('are listed with their status, last ping and when the next is due', async () => {
    const upKey = await heartbeat('hb-list-up', { interval: '10m', grace: '2m' });
    await heartbeat('hb-list-new', { interval: '1h' });
    const silentKey = await heartbeat('hb-list-down', { interval: '5m', grace: '0s' });
    expect((await ping(silentKey)).statusCode).toBe(200);
    t.clock.advance(6 * MINUTE);
    await engine.runUntilIdle();
    expect((await ping(upKey)).statusCode).toBe(200);
    const pingedAt = t.clock.now();
    const res = await t.app.inject({ url: '/api/v1/heartbeats', headers: auth(await t.tokenFor('viewer')) });
    expect(res.statusCode).toBe(200);
    const byService = new Map(
      (res.json().heartbeats as { service: string; down_since: string | null }[]).map(
        (h) => [h.service, h] as const,
      ),
    );
    expect(byService.get('hb-list-up')).toMatchObject({
      name: 'nightly',
      status: 'up',
      interval: '10m',
      grace: '2m',
      pings: 1,
      last_ping_at: pingedAt.toISOString(),
      expected_by: new Date(pingedAt.getTime() + 12 * MINUTE).toISOString(),
      down_since: null,
    });
    expect(byService.get('hb-list-new')).toMatchObject({ status: 'new', pings: 0, last_ping_at: null });
    expect(byService.get('hb-list-down')).toMatchObject({ status: 'down', pings: 1, expected_by: null });
    expect(byService.get('hb-list-down')?.down_since).not.toBeNull();
    expect((await t.app.inject({ url: '/api/v1/heartbeats' })).statusCode).toBe(401);
  });
});
