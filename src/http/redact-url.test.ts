import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { createMetrics } from './metrics.ts';
import { redactUrl } from './redact-url.ts';
import { type App, buildServer } from './server.ts';

describe('redactUrl', () => {
  it('hides secrets in paths and query strings, keeps the rest', () => {
    expect(redactUrl('/ack/abc123?x=1')).toBe('/ack/[redacted]?x=1');
    expect(redactUrl('/api/v1/heartbeats/hb-key')).toBe('/api/v1/heartbeats/[redacted]');
    expect(redactUrl('/api/v1/integrations/alertmanager/k1')).toBe(
      '/api/v1/integrations/alertmanager/[redacted]',
    );
    expect(redactUrl('/api/v1/integrations/deploy/k2')).toBe('/api/v1/integrations/deploy/[redacted]');
    expect(redactUrl('/api/v1/schedules/ops/ical?token=feed&x=2')).toBe(
      '/api/v1/schedules/ops/ical?token=[redacted]&x=2',
    );
    expect(redactUrl('/api/v1/incidents?limit=5')).toBe('/api/v1/incidents?limit=5');
  });
});

describe('the request log', () => {
  let t: TestDb;
  let app: App;
  const lines: string[] = [];
  beforeAll(async () => {
    t = await freshDb();
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    app = await buildServer({
      db: t.db,
      clock: new VirtualClock(),
      log: pino({ level: 'info' }, sink),
      metrics: createMetrics(),
      publicUrl: 'http://tocsin.test',
      bodyLimit: 262_144,
      version: 'test',
    });
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  it('never shows ack tokens, integration, deploy or heartbeat keys, feed tokens', async () => {
    const secrets = ['SECRETACK', 'SECRETHB', 'SECRETINT', 'SECRETDEPLOY', 'SECRETFEED'];
    await app.inject({ url: '/ack/SECRETACK' });
    await app.inject({ method: 'POST', url: '/api/v1/heartbeats/SECRETHB' });
    await app.inject({ method: 'POST', url: '/api/v1/integrations/alertmanager/SECRETINT', payload: {} });
    await app.inject({ method: 'POST', url: '/api/v1/integrations/deploy/SECRETDEPLOY', payload: {} });
    await app.inject({ url: '/api/v1/schedules/ops/ical?token=SECRETFEED' });
    const log = lines.join('');
    expect(log).toContain('[redacted]');
    for (const secret of secrets) expect(log).not.toContain(secret);
  });
});
