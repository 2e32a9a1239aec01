import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, addUser, auth, freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { connect } from '../db/connect.ts';
import { freePort } from '../db/embedded.ts';
import { makeCtx, SYSTEM_ACTOR } from '../domain/context.ts';
import { bootstrapAdmin } from '../domain/users/bootstrap-admin.ts';
import { createToken } from '../domain/users/create-token.ts';
import { createMetrics } from './metrics.ts';
import { startMonitoringServer } from './monitoring-server.ts';
import { type App, type AppDeps, buildServer } from './server.ts';

const METRICS_TOKEN = 'tcs_metrics_scrape_token_0123';
const log = pino({ level: 'silent' });

function deps(db: AppDeps['db'], clock: VirtualClock): AppDeps {
  return {
    db,
    clock,
    log,
    metrics: createMetrics(),
    publicUrl: 'http://tocsin.test',
    bodyLimit: 262_144,
    version: 'test',
    metricsToken: METRICS_TOKEN,
    authFailuresPerMinute: 3,
  };
}

let t: TestDb;
let app: App;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
let viewerToken: string;

beforeAll(async () => {
  t = await freshDb();
  await bootstrapAdmin(t.db, clock, ADMIN_TOKEN);
  const ctx = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
  await addUser(ctx, 'vera', { role: 'viewer' });
  viewerToken = (await createToken({ ctx, input: { name: 'v', user: 'vera' } })).token;
  app = await buildServer(deps(t.db, clock));
});
afterAll(async () => {
  await app.close();
  await t.close();
});

describe('/health/detailed and /metrics', () => {
  it('need the metrics token or a manager’s API token; /health stays public and bare', async () => {
    for (const url of ['/health/detailed', '/metrics']) {
      expect((await app.inject({ url })).statusCode, url).toBe(401);
      expect((await app.inject({ url, headers: auth(viewerToken) })).statusCode, url).toBe(403);
      expect((await app.inject({ url, headers: auth(ADMIN_TOKEN) })).statusCode, url).toBe(200);
      expect((await app.inject({ url, headers: auth(METRICS_TOKEN) })).statusCode, url).toBe(200);
    }
    // The metrics token is no API token.
    expect((await app.inject({ url: '/api/v1/users', headers: auth(METRICS_TOKEN) })).statusCode).toBe(401);
    const health = await app.inject({ url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
  });

  it('are served without a token on the separate monitoring listener, and nothing else is', async () => {
    const port = await freePort();
    const { server, url } = await startMonitoringServer({ ...deps(t.db, clock), log }, port, '127.0.0.1');
    try {
      expect((await fetch(`${url}/health/detailed`)).status).toBe(200);
      expect(await (await fetch(`${url}/metrics`)).text()).toContain('tocsin_process_');
      expect((await fetch(`${url}/api/v1/users`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('failed authentication', () => {
  it('answers 429 with Retry-After once an address failed too often, until a minute passed', async () => {
    const from = '10.1.1.1';
    const bad = { headers: auth('tcs_not_a_token_at_all_000000'), url: '/api/v1/users', remoteAddress: from };
    const good = { url: '/api/v1/users', headers: auth(ADMIN_TOKEN), remoteAddress: from };
    for (let i = 0; i < 3; i++) expect((await app.inject(bad)).statusCode).toBe(401);
    const limited = await app.inject(bad);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Even a valid token waits: the address is guessing.
    expect((await app.inject(good)).statusCode).toBe(429);
    // Another address is not held back.
    const other = await app.inject({ ...bad, remoteAddress: '10.9.8.7' });
    expect(other.statusCode).toBe(401);
    clock.advance(61_000);
    expect((await app.inject(good)).statusCode).toBe(200);
  });
});

describe('an unavailable store', () => {
  it('answers 503 with Retry-After, on /health too, without internal detail', async () => {
    // Nothing listens there: every query fails to connect.
    const { db } = connect(`postgres://nobody@127.0.0.1:${await freePort()}/none`, 2, {
      connectMs: 500,
      statementMs: 1000,
    });
    const down = await buildServer({ ...deps(db, clock), metricsToken: METRICS_TOKEN });
    try {
      const health = await down.inject({ url: '/health' });
      expect(health.statusCode).toBe(503);
      expect(health.headers['retry-after']).toBeDefined();
      expect(health.json()).toEqual({ status: 'unavailable' });
      const detailed = await down.inject({ url: '/health/detailed', headers: auth(METRICS_TOKEN) });
      expect(detailed.statusCode).toBe(503);
      expect(detailed.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
      const api = await down.inject({ url: '/api/v1/users', headers: auth(ADMIN_TOKEN) });
      expect(api.statusCode).toBe(503);
      expect(api.headers['retry-after']).toBeDefined();
      expect(api.json().error.code).toBe('unavailable');
    } finally {
      await down.close();
      await db.destroy();
    }
  });

  it('cancels a statement that runs past statement_timeout and answers 503', async () => {
    const { db } = connect(t.url, 2, { connectMs: 2000, statementMs: 200 });
    const slow = await buildServer(deps(db, clock));
    // A lock held elsewhere: the request's read waits on it until statement_timeout cancels it.
    try {
      await t.db.transaction().execute(async (tx) => {
        await sql`lock table users in access exclusive mode`.execute(tx);
        const res = await slow.inject({ url: '/api/v1/users', headers: auth(ADMIN_TOKEN) });
        expect(res.statusCode, res.body).toBe(503);
        expect(res.headers['retry-after']).toBeDefined();
      });
    } finally {
      await slow.close();
      await db.destroy();
    }
  });
});
