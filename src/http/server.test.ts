import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../test/helpers.ts';
import { enqueueNotification } from '../domain/notifications/enqueue.ts';
import { Engine } from '../engine/engine.ts';
import { outboxModule } from '../engine/outbox.ts';
import { DeliveryError, type Provider, providerRegistry } from '../notify/providers/provider.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

describe('HTTP surface', () => {
  it('answers /health and /health/detailed', async () => {
    expect((await t.app.inject({ url: '/health' })).json()).toEqual({ status: 'ok' });
    const detailed = (await t.app.inject({ url: '/health/detailed', headers: auth(t.adminToken) })).json();
    expect(detailed.database.status).toBe('ok');
    expect(detailed.status).toBe('ok');
    expect(detailed.outbox).toEqual({ pending: 0, oldest_due_at: null, dead_letters: 0 });
    expect(detailed.paging).toEqual({
      channels_off: ['email', 'sms', 'voice', 'push', 'slack', 'chat'],
      overdue_pages: 0,
      failed_pages_24h: 0,
      late_escalation_steps: 0,
      routed_to_nobody_24h: 0,
      routed_to_nobody_latest: [],
    });
    expect(detailed.problems).toEqual([]);
    expect(Array.isArray(detailed.engine)).toBe(true);
  });

  it('reports degraded, with the reason, when a page failed for good', async () => {
    // A page queued for the admin, refused for good by the SMS provider (an invalid number).
    const user = await t.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    await enqueueNotification(
      t.db,
      {
        incidentId: null,
        channel: 'sms',
        destination: '+15550000000',
        payload: { kind: 'page', text: 'x' },
        dedupKey: 'health-failed-page',
        userId: user.id,
      },
      t.clock.now(),
    );
    const refusing: Provider = {
      channel: 'sms',
      send: async () => {
        throw new DeliveryError('Twilio 21211: invalid To', false);
      },
    };
    const outbox = outboxModule({ providers: providerRegistry([refusing]) });
    await new Engine({ db: t.db, clock: t.clock, log: pino({ level: 'silent' }) }, [outbox]).runUntilIdle();
    await outbox.idle();
    const detailed = (await t.app.inject({ url: '/health/detailed', headers: auth(t.adminToken) })).json();
    expect(detailed.status).toBe('degraded');
    expect(detailed.outbox.dead_letters).toBe(1);
    expect(detailed.problems).toEqual([expect.stringContaining('1 page(s) failed for good')]);
  });

  it('serves Prometheus metrics', async () => {
    await t.app.inject({ url: '/health' });
    const res = await t.app.inject({ url: '/metrics', headers: auth(t.adminToken) });
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('tocsin_http_requests_total');
  });

  it('publishes OpenAPI 3.1 and the docs page', async () => {
    const spec = (await t.app.inject({ url: '/api/v1/openapi.json' })).json();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toContain('/api/v1/users');
    const docs = await t.app.inject({ url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
  });

  it('answers / with a page (the web console, or the start page when it is not built: console.test.ts)', async () => {
    const res = await t.app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });

  it('maps malformed JSON, oversize bodies and unknown routes to 4xx with the error shape', async () => {
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { ...auth(t.adminToken), 'content-type': 'application/json' },
      payload: '{"handle": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toMatchObject({ code: 'invalid' });
    const huge = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { ...auth(t.adminToken), 'content-type': 'application/json' },
      payload: JSON.stringify({ handle: 'x', name: 'y'.repeat(300_000) }),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('too_large');
    const missing = await t.app.inject({ url: '/api/v1/nothing-here', headers: auth(t.adminToken) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
  });
});
