import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { signWebhook } from '../../notify/providers/webhook.ts';
import { FORMATS } from './formats.ts';
import { createIntegration, fixture, storedRows } from './inbound-test-support.ts';
import {
  type SignedRequest,
  sameSecret,
  verifyHeaderSecret,
  verifyHexSignature,
  verifyStandardWebhook,
} from './signatures.ts';

// Signature checks of the inbound integrations: the primitives against the documented example
// values, then each format over HTTP — valid, tampered body, wrong secret, missing header — with the
// store unchanged by every refusal.

const NOW = new Date('2026-03-02T10:00:00Z');
const request = (body: string, headers: Record<string, string>, now = NOW): SignedRequest => ({
  body: Buffer.from(body),
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
  now,
});
const hex = (secret: string, ...parts: string[]) => {
  const h = createHmac('sha256', secret);
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

describe('signature primitives', () => {
  it('checks GitHub’s documented example (sha256= prefix) and the bare hex form', () => {
    // docs.github.com → Webhooks → Validating webhook deliveries: test values.
    const secret = "It's a Secret to Everybody";
    const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    const ok = request('Hello, World!', { 'X-Hub-Signature-256': signature });
    expect(verifyHexSignature(ok, 'X-Hub-Signature-256', secret)).toEqual({ ok: true });
    const bare = request('Hello, World!', { 'X-Signature': signature.slice(7).toUpperCase() });
    expect(verifyHexSignature(bare, 'X-Signature', secret).ok).toBe(true);
    const tampered = request('Hello, World?', { 'X-Hub-Signature-256': signature });
    expect(verifyHexSignature(tampered, 'X-Hub-Signature-256', secret)).toEqual({
      ok: false,
      reason: 'the X-Hub-Signature-256 signature does not match the body',
    });
    for (const junk of ['sha256=', 'sha256=zz', 'not hex at all', signature.slice(0, 40)]) {
      expect(verifyHexSignature(request('Hello, World!', { 'X-Sig': junk }), 'X-Sig', secret).ok).toBe(false);
    }
  });

  it('checks the Standard Webhooks specification’s example, within its timestamp window only', () => {
    // standardwebhooks.com (and Svix, which wrote it): the published verification example.
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const at = new Date(1614265330_000 + 60_000);
    expect(verifyStandardWebhook(request('{"test": 2432232314}', headers, at), secret)).toEqual({ ok: true });
    // Rotation: several signatures, one of them right.
    const rotating = { ...headers, 'webhook-signature': `v1,bm90IGl0 ${headers['webhook-signature']}` };
    expect(verifyStandardWebhook(request('{"test": 2432232314}', rotating, at), secret).ok).toBe(true);
    expect(verifyStandardWebhook(request('{"test": 2432232315}', headers, at), secret).ok).toBe(false);
    const late = new Date(1614265330_000 + 301_000);
    expect(verifyStandardWebhook(request('{"test": 2432232314}', headers, late), secret)).toEqual({
      ok: false,
      reason: 'the webhook-timestamp timestamp is more than 300s from now',
    });
  });

  it('never throws, whatever the config, headers and body', () => {
    const header = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }));
    const headerNames = fc.constantFrom(
      'sentry-hook-signature',
      'x-grafana-alerting-signature',
      'x-signature',
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
      'authorization',
      'x-tocsin-secret',
    );
    const config = fc.oneof(
      fc.anything(),
      fc.record({ clientSecret: fc.string({ minLength: 16 }) }),
      fc.record({
        hmac: fc.record({ secret: fc.string({ minLength: 16 }), timestampHeader: fc.constant('x-ts') }),
      }),
      fc.record({ standardWebhooks: fc.record({ secret: fc.constant(STANDARD_SECRET) }) }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(headerNames, header),
        fc.uint8Array({ maxLength: 64 }),
        config,
        (headers, body, cfg) => {
          for (const format of FORMATS) {
            const verdict = format.verify?.({ body: Buffer.from(body), headers, now: NOW }, cfg);
            if (verdict) expect(typeof verdict.ok).toBe('boolean');
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('compares shared secrets in full, whatever their lengths', () => {
    expect(sameSecret('a-long-shared-secret', 'a-long-shared-secret')).toBe(true);
    expect(sameSecret('a-long-shared-secre', 'a-long-shared-secret')).toBe(false);
    expect(sameSecret('', 'a-long-shared-secret')).toBe(false);
    const expected = { name: 'X-Tocsin-Secret', value: 'a-long-shared-secret' };
    expect(verifyHeaderSecret(request('', { 'x-tocsin-secret': 'a-long-shared-secret' }), expected).ok).toBe(
      true,
    );
    expect(verifyHeaderSecret(request('', {}), expected)).toEqual({
      ok: false,
      reason: 'the X-Tocsin-Secret header is missing',
    });
  });

  it('never throws, whatever the stored config, and lets through only configs without secrets', () => {
    const configs: unknown[] = [null, 42, 'x', [], { clientSecret: 7 }, { hmac: 'x' }, { signature: {} }];
    for (const format of FORMATS) {
      expect(format.verify?.(request('{}', {}), {}) ?? { ok: true }).toEqual({ ok: true });
      for (const config of configs) {
        const verdict = format.verify?.(request('{}', {}), config);
        if (verdict && !verdict.ok) expect(verdict.reason).toMatch(/./);
      }
      // An integration saved before signing settings existed, with keys of its own, still works.
      expect(format.verify?.(request('{}', {}), { summary: '$.title' }) ?? { ok: true }).toEqual({
        ok: true,
      });
    }
  });
});

interface Case {
  type: string;
  config: Record<string, unknown>;
  body: unknown;
  /** Headers that prove the sender holds the secret, for these exact bytes. */
  sign: (raw: string, secret: string) => Record<string, string>;
  /** The secret as the config holds it, and one that is not it. */
  secret: string;
  wrongSecret: string;
  /** The header whose absence is refused. */
  header: string;
  /** False for shared secrets sent as they are (Basic auth, a custom header): the body is not signed. */
  coversBody?: false;
}

const SENTRY_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const GRAFANA_SECRET = 'grafana-contact-point-secret';
const WEBHOOK_SECRET = 'generic-webhook-secret';
const STANDARD_SECRET = `whsec_${Buffer.from('standard-webhooks-key-32-bytes!!').toString('base64')}`;
const DATADOG_SECRET = 'datadog-custom-header-secret';

const nowSeconds = () => String(Math.floor(NOW.getTime() / 1000));

const CASES: Case[] = [
  {
    type: 'sentry',
    config: { clientSecret: SENTRY_SECRET },
    body: fixture('sentry-issue-alert.json'),
    sign: (raw, secret) => ({
      'Sentry-Hook-Resource': 'event_alert',
      'Sentry-Hook-Signature': hex(secret, raw),
    }),
    secret: SENTRY_SECRET,
    wrongSecret: `${SENTRY_SECRET.slice(1)}0`,
    header: 'Sentry-Hook-Signature',
  },
  {
    type: 'grafana',
    config: { hmac: { secret: GRAFANA_SECRET } },
    body: fixture('grafana-webhook.json'),
    sign: (raw, secret) => ({ 'X-Grafana-Alerting-Signature': hex(secret, raw) }),
    secret: GRAFANA_SECRET,
    wrongSecret: 'another-grafana-secret',
    header: 'X-Grafana-Alerting-Signature',
  },
  {
    type: 'grafana',
    config: {
      hmac: {
        secret: GRAFANA_SECRET,
        header: 'X-Signature',
        timestampHeader: 'X-Grafana-Alerting-Timestamp',
      },
    },
    body: fixture('grafana-webhook.json'),
    sign: (raw, secret) => ({
      'X-Grafana-Alerting-Timestamp': nowSeconds(),
      'X-Signature': hex(secret, `${nowSeconds()}:`, raw),
    }),
    secret: GRAFANA_SECRET,
    wrongSecret: 'another-grafana-secret',
    header: 'X-Signature',
  },
  {
    type: 'grafana',
    config: { basicAuth: { username: 'grafana', password: GRAFANA_SECRET } },
    body: fixture('grafana-webhook.json'),
    sign: (_raw, secret) => ({
      Authorization: `Basic ${Buffer.from(`grafana:${secret}`).toString('base64')}`,
    }),
    secret: GRAFANA_SECRET,
    wrongSecret: 'another-grafana-secret',
    header: 'Authorization',
    coversBody: false,
  },
  {
    type: 'datadog',
    config: { headerSecret: { name: 'X-Tocsin-Secret', value: DATADOG_SECRET } },
    body: {
      id: '1234567',
      alert_id: '1234',
      aggreg_key: '9bd4ac313a4d1e8fae2482df7b77628',
      transition: 'Triggered',
      alert_type: 'error',
      title: '[Triggered on {host:ip-012345}] Host is Down',
      tags: 'role:computing-node',
      date: '1406662672000',
      hostname: 'ip-012345',
    },
    sign: (_raw, secret) => ({ 'X-Tocsin-Secret': secret }),
    secret: DATADOG_SECRET,
    wrongSecret: 'not-the-datadog-secret',
    header: 'X-Tocsin-Secret',
    coversBody: false,
  },
  {
    type: 'webhook',
    config: { signature: { secret: WEBHOOK_SECRET } },
    body: { id: 'sig-1', title: 'Disk full on db-1' },
    sign: (raw, secret) => ({ 'X-Signature': `sha256=${hex(secret, raw)}` }),
    secret: WEBHOOK_SECRET,
    wrongSecret: 'another-webhook-secret',
    header: 'X-Signature',
  },
  {
    type: 'webhook',
    config: { standardWebhooks: { secret: STANDARD_SECRET } },
    body: { id: 'sig-2', title: 'Queue backlog' },
    sign: (raw, secret) => ({
      'webhook-id': 'msg_1',
      'webhook-timestamp': nowSeconds(),
      'webhook-signature': signWebhook(secret, 'msg_1', Number(nowSeconds()), raw),
    }),
    secret: STANDARD_SECRET,
    wrongSecret: `whsec_${Buffer.from('another-key-of-32-bytes-length!!').toString('base64')}`,
    header: 'webhook-signature',
  },
];

describe('signed inbound requests over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(() => t.close());

  const post = (type: string, key: string, raw: string, headers: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/integrations/${type}/${key}`,
      headers: { 'content-type': 'application/json', ...headers },
      payload: raw,
    });

  CASES.forEach((c, index) => {
    it(`${c.type} ${Object.keys(c.config).join('+')}: accepts the signed body only`, async () => {
      const key = await createIntegration(t, 'signed', c.type, c.config, `${c.type}-${index}`);
      // Pretty-printed on purpose: the signature covers these bytes, not a re-serialisation.
      const raw = JSON.stringify(c.body, null, 2);
      const before = await storedRows(t);
      const refusals: [string, Record<string, string>][] = [
        ...(c.coversBody === false
          ? []
          : [['tampered body', c.sign(raw, c.secret)] as [string, Record<string, string>]]),
        ['wrong secret', c.sign(raw, c.wrongSecret)],
        [
          'missing header',
          Object.fromEntries(Object.entries(c.sign(raw, c.secret)).filter(([h]) => h !== c.header)),
        ],
      ];
      for (const [what, headers] of refusals) {
        const body = what === 'tampered body' ? raw.replace('"', ' "') : raw;
        const res = await post(c.type, key, body, headers);
        expect(res.statusCode, `${what}: ${res.body}`).toBe(401);
        expect(res.json().error).toMatchObject({ code: 'unauthorized', details: [{ path: 'headers' }] });
      }
      expect(await storedRows(t)).toEqual(before);
      const ok = await post(c.type, key, raw, c.sign(raw, c.secret));
      expect(ok.statusCode, ok.body).toBe(202);
      expect((await storedRows(t)).events).toBeGreaterThan(before.events);
    });
  });

  it('checks signatures before the body: an unsigned malformed body is 401, not 400', async () => {
    const key = await createIntegration(
      t,
      'signed',
      'sentry',
      { clientSecret: SENTRY_SECRET },
      'sentry-order',
    );
    const res = await post('sentry', key, '{"nothing":"here"}', {});
    expect(res.statusCode).toBe(401);
  });

  it('checks the bytes received whatever the content type: text/plain is not an empty body', async () => {
    const key = await createIntegration(
      t,
      'signed',
      'grafana',
      { hmac: { secret: GRAFANA_SECRET } },
      'plain',
    );
    const raw = JSON.stringify({ status: 'firing', alerts: [] });
    const send = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/integrations/grafana/${key}`,
        headers: { 'content-type': 'text/plain', ...headers },
        payload: raw,
      });
    // Signed for the empty body, not for what was sent: refused.
    const forged = await send({ 'X-Grafana-Alerting-Signature': hex(GRAFANA_SECRET, '') });
    expect(forged.statusCode, forged.body).toBe(401);
    // Signed for what was sent: the signature holds (what the body says is judged after).
    const signed = await send({ 'X-Grafana-Alerting-Signature': hex(GRAFANA_SECRET, raw) });
    expect(signed.statusCode, signed.body).not.toBe(401);
  });

  it('refuses weak or malformed signing settings with the field path', async () => {
    const bad: [string, Record<string, unknown>, string][] = [
      ['sentry', { clientSecret: 'short' }, 'config.clientSecret'],
      ['sentry', { secret: SENTRY_SECRET }, 'config.secret'],
      ['grafana', { hmac: { secret: GRAFANA_SECRET, header: 'bad header' } }, 'config.hmac.header'],
      ['datadog', { headerSecret: { name: 'X-Secret' } }, 'config.headerSecret.value'],
      ['webhook', { standardWebhooks: { secret: 'not-whsec' } }, 'config.standardWebhooks.secret'],
    ];
    for (const [type, config, path] of bad) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/services/signed/integrations',
        headers: auth(t.adminToken),
        payload: { type, name: 'bad', config },
      });
      expect(res.statusCode, JSON.stringify(config)).toBe(400);
      expect(res.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
  });

  it('shows signing secrets only to those who may manage the service', async () => {
    const viewer = await t.tokenFor('viewer');
    const seen = await t.app.inject({ url: '/api/v1/services/signed', headers: auth(viewer) });
    expect(seen.statusCode).toBe(200);
    const configs = seen.json().integrations.map((i: { config: unknown }) => i.config);
    expect(configs).toContainEqual({ clientSecret: '(secret)' });
    expect(configs).toContainEqual({ headerSecret: { name: 'X-Tocsin-Secret', value: '(secret)' } });
    expect(JSON.stringify(configs)).not.toMatch(
      new RegExp([SENTRY_SECRET, GRAFANA_SECRET, DATADOG_SECRET].join('|')),
    );
    const managed = await t.app.inject({ url: '/api/v1/services/signed', headers: auth(t.adminToken) });
    expect(JSON.stringify(managed.json())).toContain(SENTRY_SECRET);
  });

  it('keeps signing secrets out of the audit log', async () => {
    await createIntegration(
      t,
      'signed',
      'datadog',
      { headerSecret: { name: 'X-S', value: DATADOG_SECRET } },
      'dd-audit',
    );
    const rows = await t.db.selectFrom('audit_log').selectAll().execute();
    const text = JSON.stringify(rows);
    for (const secret of [SENTRY_SECRET, GRAFANA_SECRET, DATADOG_SECRET, WEBHOOK_SECRET, STANDARD_SECRET]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('(secret)');
  });

  it('refuses a replayed Grafana timestamp, once the clock has moved past its window (last: the clock only moves on)', async () => {
    const c = CASES[2] as Case;
    const key = await createIntegration(t, 'signed', 'grafana', c.config, 'grafana-replay');
    const raw = JSON.stringify(c.body);
    const headers = c.sign(raw, c.secret);
    t.clock.advance(6 * 60_000);
    const res = await post('grafana', key, raw, headers);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.details[0].message).toMatch(/more than 300s from now/);
  });
});
