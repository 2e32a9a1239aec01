import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { connect } from '../../db/connect.ts';
import { freePort } from '../../db/embedded.ts';
import { createMetrics } from '../../http/metrics.ts';
import { type App, buildServer } from '../../http/server.ts';
import { alertmanagerGroup, alertsWithKey, createIntegration } from './inbound-test-support.ts';

// Group commit and back-pressure through HTTP, with the default limits (TOCSIN_INGEST_KEY_BURST 100).
let t: TestApp;
let pdKey: string;
let amKey: string;

beforeAll(async () => {
  t = await testApp();
  pdKey = await createIntegration(t, 'storage', 'pagerduty');
  amKey = await createIntegration(t, 'storage', 'alertmanager');
});
afterAll(() => t.close());

const trigger = (routingKey: string, dedupKey: string, i = 0) => ({
  routing_key: routingKey,
  event_action: 'trigger',
  dedup_key: dedupKey,
  payload: { summary: `disk full ${i}`, source: 'db-1', severity: 'critical' },
});

function enqueue(app: App, body: unknown) {
  return app.inject({ method: 'POST', url: '/v2/enqueue', payload: body as object });
}

describe('inbound group commit over HTTP', () => {
  it('answers each of many concurrent requests only once its alert is committed', async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const res = await enqueue(t.app, trigger(pdKey, `concurrent-${i}`));
        return { status: res.statusCode, stored: (await alertsWithKey(t, `concurrent-${i}`)).length };
      }),
    );
    expect(answers.every((a) => a.status === 202 && a.stored === 1)).toBe(true);
  });

  it('counts 200 concurrent repeats of one key; past the burst PagerDuty senders get 429, and the count still holds', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => enqueue(t.app, trigger(pdKey, 'storm', i))),
    );
    const accepted = answers.filter((r) => r.statusCode === 202);
    const shed = answers.filter((r) => r.statusCode === 429);
    expect(accepted.length + shed.length).toBe(200);
    // The burst, plus what the bucket refilled (10/s of real time) while the test ran.
    expect(accepted.length).toBeGreaterThanOrEqual(100);
    expect(shed.length).toBeGreaterThan(50);
    const throttled = shed[0];
    expect(throttled?.headers['retry-after']).toBe('1');
    expect(throttled?.json()).toMatchObject({ status: 'throttle exceeded', dedup_key: 'storm' });
    expect(throttled?.json().message).toMatch(/counted as a repeat/);
    const rows = await alertsWithKey(t, 'storm');
    expect(rows.map((r) => [r.status, r.count])).toEqual([['triggered', 200]]);
  });

  it('never answers 429 to Alertmanager: repeats over the limit are coalesced and accepted', async () => {
    const answers = await Promise.all(
      Array.from({ length: 150 }, () =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/integrations/alertmanager/${amKey}`,
          payload: alertmanagerGroup('f00dfeed00000001'),
        }),
      ),
    );
    expect(answers.map((r) => r.statusCode).filter((s) => s !== 202)).toEqual([]);
    const [alert] = await alertsWithKey(t, 'f00dfeed00000001');
    expect(alert?.count).toBe(150);
  });
});

describe('when the store is unreachable', () => {
  let down: App;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const { db } = connect(`postgres://nobody:x@127.0.0.1:${await freePort()}/none`, 2);
    down = await buildServer({
      db,
      clock: new VirtualClock(),
      log: pino({ level: 'silent' }),
      metrics: createMetrics(),
      publicUrl: 'http://tocsin.test',
      bodyLimit: 262_144,
      version: 'test',
    });
    close = async () => {
      await down.close();
      await db.destroy();
    };
  });
  afterAll(() => close());

  it('answers 503 (retry later) at /v2/enqueue, in PagerDuty’s format', async () => {
    const res = await enqueue(down, trigger('0123456789abcdef0123456789abcdef', 'k'));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({ status: 'error', message: expect.stringMatching(/unavailable/) });
  });

  it('answers 503 to Alertmanager, which retries only on 5xx', async () => {
    const res = await down.inject({
      method: 'POST',
      url: '/api/v1/integrations/alertmanager/0123456789abcdef0123456789abcdef',
      payload: alertmanagerGroup('f00dfeed00000002'),
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json().error.code).toBe('unavailable');
  });
});
