import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackButtonClick } from '../../../test/fakes/slack.ts';
import { twilioSid, twilioWebhookSignature } from '../../../test/fakes/twilio.ts';
import { auth, capturedLog, settled, type TestApp, testApp } from '../../../test/helpers.ts';
import { TWILIO_SMS_PATH, TWILIO_VOICE_PATH } from '../../notify/inbound/twilio.ts';

// Acknowledging over HTTP the ways a paged person can: the link (GET asks, POST acknowledges), a
// Slack button, an SMS reply, a phone keypress — each signed by its provider, each as that person.

const SLACK_SECRET = 'slack-signing-secret-for-tests';
const TWILIO_TOKEN = 'twilio-auth-token-for-tests';
let t: TestApp;
const logged = capturedLog();

const setup = `apiVersion: tocsin.dev/v1
kind: User
metadata: { name: noor }
spec:
  name: Noor
  role: responder
  contacts:
    - { kind: sms, address: "+15550001111", label: mobile, verified: true }
    - { kind: voice, address: "+15550001111", label: phone, verified: true }
    - { kind: slack, address: U0NOOR123, label: slack, verified: true }
  notificationRules:
    - { contact: mobile, after: 0m }
    - { contact: slack, after: 0m }
    - { contact: phone, after: 1m }
`;

async function page(message: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/pages',
    headers: auth(t.adminToken),
    payload: { target: 'user:noor', message },
  });
  expect(res.statusCode).toBe(201);
  const id = String(res.json().page.id);
  const rows = await t.db
    .selectFrom('outbox')
    .select(['channel', 'payload'])
    .where('escalation_id', '=', id)
    .execute();
  const sms = rows.find((r) => r.channel === 'sms')?.payload as { ack: { url: string; code: string } };
  return { id, ack: sms.ack };
}

const statusOf = async (id: string) =>
  (await t.db.selectFrom('escalations').select('status').where('id', '=', id).executeTakeFirstOrThrow())
    .status;

function twilioPost(path: string, params: Record<string, string>, signature?: string) {
  const url = `http://tocsin.test${path}`;
  return t.app.inject({
    method: 'POST',
    url: path,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature ?? twilioWebhookSignature(TWILIO_TOKEN, url, params),
    },
    payload: new URLSearchParams(params).toString(),
  });
}

beforeAll(async () => {
  process.env.TOCSIN_SLACK_SIGNING_SECRET = SLACK_SECRET;
  process.env.TOCSIN_TWILIO_AUTH_TOKEN = TWILIO_TOKEN;
  t = await testApp({ log: logged.log });
  // A server with an event hub (production) has two async onSend hooks (server timing, the incident
  // list cache); a handler that answers twice only shows it with two, so the test app gets a second.
  t.app.addHook('onSend', async (_request, _reply, payload) => payload);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/apply',
    headers: auth(t.adminToken),
    payload: { documents: [{ file: 'noor.yaml', content: setup }] },
  });
  expect(res.statusCode).toBe(200);
});
afterAll(async () => {
  delete process.env.TOCSIN_SLACK_SIGNING_SECRET;
  delete process.env.TOCSIN_TWILIO_AUTH_TOKEN;
  await t.close();
});

describe('acknowledging over HTTP', () => {
  it('lists every page newest first, a page at a time through the next cursor', async () => {
    for (const m of ['first', 'second', 'third']) await page(`listed ${m}`);
    const get = async (query: string) =>
      (await t.app.inject({ url: `/api/v1/pages?${query}`, headers: auth(t.adminToken) })).json() as {
        pages: { id: string }[];
        next: string | null;
      };
    const all = await get('limit=500');
    const ids = all.pages.map((p) => Number(p.id));
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const first = await get('limit=2');
    expect(first.pages.map((p) => p.id)).toEqual(all.pages.slice(0, 2).map((p) => p.id));
    const second = await get(`limit=2&cursor=${first.next}`);
    expect(second.pages.map((p) => p.id)).toEqual(all.pages.slice(2, 4).map((p) => p.id));
    expect((await get('status=active&limit=500')).pages.length).toBeLessThanOrEqual(ids.length);
  });

  it('link: opening it only asks; the button acknowledges; an unknown link is a 404 page', async () => {
    const { id, ack } = await page('disk full');
    const path = new URL(ack.url).pathname;
    const get = await t.app.inject({ method: 'GET', url: path });
    expect(get.statusCode).toBe(200);
    expect(get.body).toContain('<form method="post">');
    // It says whose page it is and what acknowledging does (issue 9, item 6).
    expect(get.body).toContain('Acknowledge as noor');
    expect(get.body).toContain('stops the escalation: nobody else is paged');
    expect((await t.app.inject({ method: 'GET', url: `/ack/${'A'.repeat(32)}` })).statusCode).toBe(404);
    expect(await statusOf(id)).toBe('active');
    const post = await t.app.inject({ method: 'POST', url: path });
    expect(post.statusCode).toBe(200);
    expect(post.body).toContain('noor, the page is acknowledged');
    expect(await statusOf(id)).toBe('acknowledged');
    const missing = await t.app.inject({ method: 'POST', url: `/ack/${'A'.repeat(32)}` });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('text/html');
  });

  it('link: each request is answered once (no "Reply was already sent", no ERR_HTTP_HEADERS_SENT)', async () => {
    // An async handler that calls reply.send() and then resolves to undefined gets sent again by
    // Fastify while the onSend hooks of the first answer still run: the second writeHead throws.
    const { ack } = await page('answered once');
    const path = new URL(ack.url).pathname;
    const unknown = `/ack/${'B'.repeat(32)}`;
    for (const [method, url, status] of [
      ['GET', path, 200],
      ['GET', unknown, 404],
      ['POST', path, 200],
      ['POST', path, 200], // already acknowledged
      ['POST', unknown, 404],
    ] as const) {
      logged.clear();
      const res = await t.app.inject({ method, url });
      await settled();
      expect(res.statusCode, `${method} ${url}`).toBe(status);
      expect(logged.problems(), `${method} ${url}`).toEqual([]);
    }
  });

  it('SMS reply: the code from the verified number acknowledges; a bad signature is refused', async () => {
    const { id, ack } = await page('queue backlog');
    const params = {
      From: '+15550001111',
      To: '+15559990000',
      Body: ` ${ack.code} `,
      MessageSid: twilioSid('SM'),
    };
    const forged = await twilioPost(TWILIO_SMS_PATH, params, 'bm90IGEgc2lnbmF0dXJl');
    expect(forged.statusCode).toBe(403);
    expect(await statusOf(id)).toBe('active');
    const stranger = await twilioPost(TWILIO_SMS_PATH, { ...params, From: '+15550002222' });
    expect(stranger.body).toContain('not a verified Tocsin contact');
    const res = await twilioPost(TWILIO_SMS_PATH, params);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/xml');
    expect(res.body).toContain('<Message>The page acknowledged by noor. Paging stopped.</Message>');
    expect(await statusOf(id)).toBe('acknowledged');
    const wrong = await twilioPost(TWILIO_SMS_PATH, { ...params, Body: '0000', MessageSid: twilioSid('SM') });
    expect(wrong.body).toContain('Not acknowledged');
  });

  it('phone: the digits typed during the call acknowledge', async () => {
    const { id, ack } = await page('payments down');
    const res = await twilioPost(TWILIO_VOICE_PATH, {
      To: '+15550001111',
      Digits: ack.code,
      CallSid: twilioSid('CA'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<Say>The page acknowledged by noor. Paging stopped.</Say>');
    expect(await statusOf(id)).toBe('acknowledged');
  });

  it('Slack button: acknowledges the incident as the Slack user; forged or stale requests are refused', async () => {
    const plan = `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: slack-plan }
severities: [{ id: SEV1, title: Outage }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
`;
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/apply',
      headers: auth(t.adminToken),
      payload: { documents: [{ file: 'plan.yaml', content: plan }] },
    });
    const incident = await t.app.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: auth(t.adminToken),
      payload: { severity: 'SEV1', title: 'Search is down', plan: 'slack-plan' },
    });
    const incidentId = String(incident.json().incident.id);
    const click = slackButtonClick(SLACK_SECRET, { value: incidentId, userId: 'U0NOOR123' }, t.clock.now());
    const stale = slackButtonClick(
      SLACK_SECRET,
      { value: incidentId, userId: 'U0NOOR123' },
      new Date(t.clock.now().getTime() - 600_000),
    );
    const send = (c: typeof click) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/slack/interactivity',
        headers: c.headers,
        payload: c.body,
      });
    expect((await send(stale)).statusCode).toBe(401);
    expect((await send({ ...click, body: click.body.replace('U0NOOR123', 'U0EVE0000') })).statusCode).toBe(
      401,
    );
    const res = await send(click);
    expect(res.statusCode).toBe(200);
    expect(res.json().text).toBe(`Incident ${incidentId} acknowledged by noor. Paging stopped.`);
    const row = await t.db
      .selectFrom('incidents')
      .select('acknowledged_at')
      .where('id', '=', incidentId)
      .executeTakeFirstOrThrow();
    expect(row.acknowledged_at).not.toBeNull();
    const stranger = slackButtonClick(
      SLACK_SECRET,
      { value: incidentId, userId: 'U0EVE0000' },
      t.clock.now(),
    );
    expect((await send(stranger)).json().text).toContain('not a verified contact');
  });
});
