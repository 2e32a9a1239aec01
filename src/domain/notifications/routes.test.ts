import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { enqueueNotification } from './enqueue.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  for (const key of ['a', 'b']) {
    await enqueueNotification(
      t.db,
      {
        incidentId: null,
        channel: 'webhook',
        destination: 'https://hooks.test/x',
        payload: { key },
        dedupKey: key,
      },
      t.clock.now(),
    );
  }
  await t.db
    .updateTable('outbox')
    .set({ status: 'failed', attempts: 8, last_error: 'HTTP 500' })
    .where('dedup_key', '=', 'b')
    .execute();
});
afterAll(() => t.close());

describe('GET /api/v1/outbox', () => {
  it('lists dead letters to managers', async () => {
    const manager = await t.tokenFor('manager');
    const res = await t.app.inject({ url: '/api/v1/outbox?status=failed', headers: auth(manager) });
    expect(res.statusCode).toBe(200);
    expect(res.json().messages).toMatchObject([
      { channel: 'webhook', status: 'failed', attempts: 8, last_error: 'HTTP 500', payload: { key: 'b' } },
    ]);
    const all = await t.app.inject({ url: '/api/v1/outbox', headers: auth(manager) });
    expect(all.json().messages).toHaveLength(2);
  });

  it('refuses responders and bad filters', async () => {
    const responder = await t.tokenFor('responder');
    expect((await t.app.inject({ url: '/api/v1/outbox', headers: auth(responder) })).statusCode).toBe(403);
    const bad = await t.app.inject({ url: '/api/v1/outbox?status=lost', headers: auth(t.adminToken) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('status');
  });

  it('hides what only the recipient may see: verification codes and acknowledge links', async () => {
    const queue = (payload: Record<string, unknown>, dedupKey: string) =>
      enqueueNotification(
        t.db,
        { incidentId: null, channel: 'sms', destination: '+15550000000', payload, dedupKey },
        t.clock.now(),
      );
    await queue({ kind: 'verify', text: 'Your Tocsin verification code is 123456', code: '123456' }, 'v');
    await queue({ kind: 'page', text: 'disk full', ack: { url: 'https://t/ack/secret', code: '4821' } }, 'p');
    const res = await t.app.inject({ url: '/api/v1/outbox?limit=2', headers: auth(t.adminToken) });
    const body = res.body;
    expect(body).not.toContain('123456');
    expect(body).not.toContain('secret');
    expect(body).not.toContain('4821');
    expect(res.json().messages.map((m: { payload: unknown }) => m.payload)).toEqual([
      { kind: 'page', text: 'disk full', ack: { url: '(hidden)', code: '(hidden)' } },
      { kind: 'verify', text: 'Your Tocsin verification code is (code)', code: '(hidden)' },
    ]);
  });
});
