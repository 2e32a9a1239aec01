import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ParsedMail } from 'mailparser';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { type Mailbox, startMailbox } from '../../../test/mailbox.ts';
import { Engine } from '../../engine/engine.ts';
import { outboxModule } from '../../engine/outbox.ts';
import { emailProvider } from '../../notify/providers/email.ts';
import { providerRegistry } from '../../notify/providers/provider.ts';
import { signWebhook, webhookProvider } from '../../notify/providers/webhook.ts';
import { savePlan } from '../plans/save-plan.ts';
import { SUBSCRIBE_LIMITS, wantsNotice } from './subscribers.ts';

// Status page subscribers end to end on a real database and virtual clock: the public subscribe
// endpoints, double opt-in by email, webhook subscribers, per-component and per-language delivery
// through the real outbox to an SMTP server and a webhook receiver on loopback, unsubscribe links,
// rate limits and the admin API.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: creator }
languages: [en, am]
severities:
  - { id: SEV1, title: Critical }
  - { id: SEV2, title: Major }
lifecycle:
  states: [{ id: investigating }, { id: identified }, { id: monitoring }, { id: resolved }]
`;
const SECRET = `whsec_${Buffer.from('subscriber test secret').toString('base64')}`;

let t: TestApp;
let admin: Record<string, string>;
let mailbox: Mailbox;
const hooks: { headers: IncomingHttpHeaders; body: string }[] = [];
let receiver: Server;
let hookUrl = '';

beforeAll(async () => {
  vi.stubEnv('TOCSIN_PUBLIC_URL', 'http://tocsin.test');
  vi.stubEnv('TOCSIN_OUTBOUND_ALLOW', '127.0.0.1');
  mailbox = await startMailbox();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      hooks.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/statuspage-hook`;
  t = await testApp();
  admin = auth(t.adminToken);
  await savePlan({ ctx: t.ctx(), input: { source: PLAN } });
  for (const name of ['API', 'Web']) {
    const r = await call('PUT', `/api/v1/status-page/components/${name}`, {});
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await t.close();
  await mailbox.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

async function call(
  method: string,
  url: string,
  payload?: unknown,
  headers: Record<string, string> = admin,
  remoteAddress = '198.51.100.1',
) {
  const res = await t.app.inject({
    method: method as 'GET',
    url,
    headers,
    remoteAddress,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: res.statusCode, body: res.body ? res.json() : undefined, headers: res.headers };
}

async function form(url: string, fields: Record<string, string>, remoteAddress = '198.51.100.1') {
  return t.app.inject({
    method: 'POST',
    url,
    remoteAddress,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });
}

/** Runs the outbox until nothing is due; answers the mails and webhook calls that arrived meanwhile. */
async function deliver(): Promise<{ mails: ParsedMail[]; hooks: typeof hooks }> {
  const mailsBefore = mailbox.mails.length;
  const hooksBefore = hooks.length;
  const module = outboxModule({
    providers: providerRegistry([
      emailProvider({ url: `smtp://127.0.0.1:${mailbox.port}`, from: 'status@tocsin.test' }),
      webhookProvider({ secret: SECRET, policy: { allowPrivate: true } }),
    ]),
  });
  await new Engine({ db: t.db, clock: t.clock, log: pino({ level: 'silent' }) }, [module]).runUntilIdle();
  await module.idle();
  return { mails: mailbox.mails.slice(mailsBefore), hooks: hooks.slice(hooksBefore) };
}

function linkIn(text: string | undefined, path: string): string {
  const match = new RegExp(`http://tocsin\\.test${path}\\?token=([\\w-]+)`).exec(text ?? '');
  if (!match?.[1]) throw new Error(`no ${path} link in ${text}`);
  return match[1];
}

async function componentId(name: string): Promise<string> {
  const res = await t.app.inject({ url: '/status/api/v2/components.json' });
  const found = res.json().components.find((c: { name: string }) => c.name === name);
  return found.id;
}

let incidentId = '';

describe('subscribing', () => {
  it('an email subscriber confirms by the emailed link (double opt-in), in their language', async () => {
    const r = await call(
      'POST',
      '/status/api/v2/subscribers',
      { email: 'Reader@Example.com', language: 'am' },
      {},
    );
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.subscriber).toEqual({ mode: 'email', status: 'pending' });
    const { mails: sent } = await deliver();
    expect(sent).toHaveLength(1);
    const [mail] = sent;
    expect(JSON.stringify(mail?.to)).toContain('reader@example.com');
    // Amharic subject and body, encoded correctly in the headers.
    expect(mail?.subject).toBe('ለStatus ያደረጉትን ምዝገባ ያረጋግጡ');
    const token = linkIn(mail?.text, '/status/subscriptions/confirm');
    // Managers reading the outbox never see the link.
    const outbox = await call('GET', '/api/v1/outbox');
    expect(JSON.stringify(outbox.body)).not.toContain(token);

    // The link shows a button (a mail scanner opening it confirms nothing); the button confirms.
    const page = await t.app.inject({ url: `/status/subscriptions/confirm?token=${token}&lang=am` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post" action="/status/subscriptions/confirm">');
    expect(page.body).toContain('ምዝገባዎን ያረጋግጡ');
    let list = await call('GET', '/api/v1/status-page/subscribers');
    expect(list.body.subscribers[0]).toMatchObject({ address: 'reader@example.com', status: 'pending' });
    const confirmed = await form('/status/subscriptions/confirm', { token, lang: 'en' });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.body).toContain('Your subscription is confirmed');
    const again = await form('/status/subscriptions/confirm', { token });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('unknown, used or expired');
    list = await call('GET', '/api/v1/status-page/subscribers?status=active');
    expect(list.body.subscribers).toEqual([
      expect.objectContaining({
        address: 'reader@example.com',
        mode: 'email',
        language: 'am',
        components: [],
      }),
    ]);
  });

  it('a webhook subscriber of one component is active at once; endpoints outside the allow-list are refused', async () => {
    const web = await componentId('Web');
    const r = await call(
      'POST',
      '/status/api/v2/subscribers',
      { endpoint: hookUrl, component_ids: [web] },
      {},
    );
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.subscriber).toEqual({ mode: 'webhook', status: 'active' });
    const refused = await call(
      'POST',
      '/status/api/v2/subscribers',
      { endpoint: 'http://10.1.2.3/hook' },
      {},
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0]).toMatchObject({ path: 'endpoint' });
    expect(refused.body.error.details[0].message).toMatch(/10\.1\.2\.3 is a private address/);
  });

  it('refuses bad input with the field at fault', async () => {
    const both = await call(
      'POST',
      '/status/api/v2/subscribers',
      { email: 'a@b.example', endpoint: hookUrl },
      {},
    );
    expect(both.status).toBe(400);
    expect(both.body.error.details).toEqual([
      { path: 'body.email', message: 'give either email or endpoint' },
    ]);
    const badEmail = await call('POST', '/status/api/v2/subscribers', { email: 'not-an-address' }, {});
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.error.details[0].path).toBe('body.email');
    const lang = await call(
      'POST',
      '/status/api/v2/subscribers',
      { email: 'x@b.example', language: 'fr' },
      {},
    );
    expect(lang.status).toBe(400);
    expect(lang.body.error.details).toEqual([{ path: 'language', message: 'one of en, am' }]);
    const comp = await call(
      'POST',
      '/status/api/v2/subscribers',
      { email: 'y@b.example', component_ids: ['999'] },
      {},
    );
    expect(comp.status).toBe(400);
    expect(comp.body.error.details).toEqual([{ path: 'component_ids.0', message: 'no component 999' }]);
  });
});

describe('notices', () => {
  it('a published external update reaches each matching subscriber once, in their language', async () => {
    const declared = await call('POST', '/api/v1/incidents', {
      title: 'Uploads <b>fail</b>',
      severity: 'SEV1',
    });
    expect(declared.status).toBe(201);
    incidentId = declared.body.incident.id;
    const linked = await call('POST', '/api/v1/status-page/components/API/status', {
      status: 'major_outage',
      incident_id: incidentId,
    });
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    await call('POST', `/api/v1/incidents/${incidentId}/updates`, {
      audience: 'internal',
      bodies: { en: 'db-7 is down' },
    });
    const r = await call('POST', `/api/v1/incidents/${incidentId}/updates`, {
      audience: 'external',
      bodies: { en: 'Uploads are failing.', am: 'ፋይል መጫን አልተሳካም።' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const first = await deliver();
    // The webhook subscriber chose Web only: the API incident is not theirs.
    expect(first.hooks).toHaveLength(0);
    expect(first.mails).toHaveLength(1);
    const mail = first.mails[0];
    expect(mail?.subject).toBe('[Status] Uploads <b>fail</b> - በምርመራ ላይ');
    expect(mail?.text).toContain('በምርመራ ላይ: ፋይል መጫን አልተሳካም።');
    expect(mail?.text).not.toContain('db-7');
    expect(mail?.html).toContain('Uploads &lt;b&gt;fail&lt;/b&gt;');
    expect(mail?.text).toContain(`http://tocsin.test/status/incidents/${incidentId}`);
    const unsubscribeToken = linkIn(mail?.text, '/status/subscriptions/unsubscribe');
    const header = (key: string) =>
      mail?.headerLines.find((h) => h.key === key)?.line.replace(/\r\n\s+/g, ' ');
    expect(header('list-unsubscribe')).toBe(
      `List-Unsubscribe: <http://tocsin.test/status/subscriptions/unsubscribe?token=${unsubscribeToken}>`,
    );
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(header('content-language')).toBe('Content-Language: am');
    // Exactly once: another run delivers nothing more.
    const second = await deliver();
    expect(second.mails).toHaveLength(0);
  });

  it('a maintenance notice of a component reaches its webhook subscriber, signed', async () => {
    const r = await call('POST', '/api/v1/status-page/maintenances', {
      name: 'Web database upgrade',
      components: ['Web'],
      scheduled_for: '2026-03-05T02:00:00Z',
      scheduled_until: '2026-03-05T03:00:00Z',
      bodies: { en: 'We upgrade the database.', am: 'የመረጃ ቋቱን እናሻሽላለን።' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const { hooks: got, mails: sent } = await deliver();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.subject).toBe('[Status] Web database upgrade - የታቀደ');
    expect(got).toHaveLength(1);
    const hook = got[0];
    if (!hook) throw new Error('no webhook');
    const id = String(hook.headers['webhook-id']);
    const ts = Number(hook.headers['webhook-timestamp']);
    expect(hook.headers['webhook-signature']).toBe(signWebhook(SECRET, id, ts, hook.body));
    const body = JSON.parse(hook.body);
    expect(body.type).toBe('status-page.maintenance-update');
    expect(body.data.incident).toMatchObject({
      id: r.body.maintenance.id,
      name: 'Web database upgrade',
      status: 'scheduled',
      scheduled: true,
      components: [{ name: 'Web' }],
      incident_updates: [{ body: 'We upgrade the database.', status: 'scheduled', language: 'en' }],
    });
    expect(body.data.meta.unsubscribe).toMatch(
      /^http:\/\/tocsin\.test\/status\/subscriptions\/unsubscribe\?token=/,
    );
    expect((await deliver()).hooks).toHaveLength(0);
  });

  it('the unsubscribe link (one-click POST) stops further notices; following it again is fine', async () => {
    await call('POST', `/api/v1/incidents/${incidentId}/updates`, {
      audience: 'external',
      bodies: { en: 'Fixed.', am: 'ተስተካክሏል።' },
    });
    const { mails: sent } = await deliver();
    expect(sent).toHaveLength(1);
    const token = linkIn(sent[0]?.text, '/status/subscriptions/unsubscribe');
    const one = await form(`/status/subscriptions/unsubscribe?token=${token}`, {
      'List-Unsubscribe': 'One-Click',
    });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.body).toContain('You are unsubscribed');
    expect((await form('/status/subscriptions/unsubscribe', { token })).statusCode).toBe(200);
    await call('POST', `/api/v1/incidents/${incidentId}/updates`, {
      audience: 'external',
      bodies: { en: 'Still fine.', am: 'አሁንም ደህና ነው።' },
    });
    expect((await deliver()).mails).toHaveLength(0);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'status_page_subscriber')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'status_page.subscriber_created',
        'status_page.subscriber_confirmed',
        'status_page.subscriber_unsubscribed',
      ]),
    );
  });

  it('admins remove a subscriber; only managers list or remove', async () => {
    const list = await call('GET', '/api/v1/status-page/subscribers?mode=webhook'.replace('mode', 'kind'));
    const hook = list.body.subscribers[0];
    expect(hook).toMatchObject({ mode: 'webhook', status: 'active', components: ['Web'] });
    const responder = auth(await t.tokenFor('responder'));
    expect((await call('GET', '/api/v1/status-page/subscribers', undefined, responder)).status).toBe(403);
    expect(
      (await call('DELETE', `/api/v1/status-page/subscribers/${hook.id}`, undefined, responder)).status,
    ).toBe(403);
    const removed = await call('DELETE', `/api/v1/status-page/subscribers/${hook.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body.subscriber.status).toBe('unsubscribed');
    expect((await call('DELETE', '/api/v1/status-page/subscribers/99999')).status).toBe(404);
  });
});

describe('limits and the form', () => {
  it('the subscribe form of /status answers a page in the reader’s language', async () => {
    const res = await form('/status/subscribe', { email: 'form@example.com', lang: 'am' }, '203.0.113.50');
    expect(res.statusCode, res.body).toBe(202);
    expect(res.body).toContain('የኢሜይል ሳጥንዎን ይመልከቱ');
    const bad = await form('/status/subscribe', { email: '<script>' }, '203.0.113.50');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain('<script>');
    expect((await deliver()).mails.map((m) => m.subject)).toEqual(['ለStatus ያደረጉትን ምዝገባ ያረጋግጡ']);
  });

  it('limits requests per client address per hour and per subscribed address per day', async () => {
    const ip = '203.0.113.7';
    for (let i = 0; i < SUBSCRIBE_LIMITS.perIpPerHour; i++) {
      const r = await call('POST', '/status/api/v2/subscribers', { email: `n${i}@flood.example` }, {}, ip);
      expect(r.status).toBe(202);
    }
    const over = await call('POST', '/status/api/v2/subscribers', { email: 'more@flood.example' }, {}, ip);
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBe('3600');
    t.clock.advance(3_600_000 + 1);
    expect(
      (await call('POST', '/status/api/v2/subscribers', { email: 'later@flood.example' }, {}, ip)).status,
    ).toBe(202);
    // One address from many places: a few confirmation mails a day, not a mail bomb.
    for (let i = 0; i < SUBSCRIBE_LIMITS.perAddressPerDay; i++) {
      const r = await call(
        'POST',
        '/status/api/v2/subscribers',
        { email: 'victim@example.com' },
        {},
        `192.0.2.${i}`,
      );
      expect(r.status).toBe(202);
    }
    const bomb = await call(
      'POST',
      '/status/api/v2/subscribers',
      { email: 'victim@example.com' },
      {},
      '192.0.2.99',
    );
    expect(bomb.status).toBe(429);
    const victim = (await deliver()).mails.filter((m) => JSON.stringify(m.to).includes('victim@example.com'));
    expect(victim).toHaveLength(SUBSCRIBE_LIMITS.perAddressPerDay);
  });

  it('wantsNotice: no components means the whole page', () => {
    expect(wantsNotice([], ['1'])).toBe(true);
    expect(wantsNotice([], [])).toBe(true);
    expect(wantsNotice(['2'], ['1'])).toBe(false);
    expect(wantsNotice(['2'], ['1', '2'])).toBe(true);
    expect(wantsNotice(['2'], [])).toBe(false);
  });
});
