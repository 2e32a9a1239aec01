import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ServerHandle, startServer } from '../../scripts/lib/tocsin-process.ts';
import { type Mailbox, startMailbox } from '../mailbox.ts';
import { call, type SystemDb, systemDatabase, systemToken, until } from './support.ts';

// Status page subscribers against a real Tocsin process on PostgreSQL 15: a reader subscribes by
// email, confirms from the link in the mail a real SMTP server receives, and gets the published
// update in Amharic with an unsubscribe link; a webhook subscriber on loopback gets it signed.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: creator }
languages: [en, am]
severities: [{ id: SEV1, title: Critical }]
lifecycle:
  states: [{ id: investigating }, { id: identified }, { id: monitoring }, { id: resolved }]
`;

let db: SystemDb;
let server: ServerHandle;
let mailbox: Mailbox;
let receiver: Server;
let hookUrl = '';
const hooks: { headers: IncomingHttpHeaders; body: string }[] = [];
const token = systemToken();

const mailTo = (address: string, subject: string) =>
  until(
    `an email to ${address} about "${subject}"`,
    async () =>
      mailbox.mails.find(
        (m: ParsedMail) => JSON.stringify(m.to).includes(address) && (m.subject ?? '').includes(subject),
      ),
    90_000,
  );

function pathIn(mail: ParsedMail, path: string): string {
  const match = (mail.text ?? '').match(new RegExp(`https?://[^\\s/]+(${path}\\?token=[\\w-]+)`));
  if (!match?.[1]) throw new Error(`no ${path} link in:\n${mail.text}`);
  return match[1];
}

beforeAll(async () => {
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
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  db = await systemDatabase(inject('pgAdminUrl'), 'status_subscribers');
  server = await startServer({
    DATABASE_URL: db.url,
    TOCSIN_ADMIN_TOKEN: token,
    TOCSIN_ENGINE_INTERVAL_MS: '200',
    TOCSIN_SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`,
    TOCSIN_SMTP_FROM: 'Status <status@example.com>',
    TOCSIN_OUTBOUND_ALLOW: '127.0.0.1/32',
    TOCSIN_WEBHOOK_SECRET: `whsec_${Buffer.from('system test secret').toString('base64')}`,
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await db?.close();
  await mailbox?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

describe('status page subscribers', () => {
  it('double opt-in by email, then the published update by email (Amharic) and signed webhook', async () => {
    expect((await call(server, token, 'PUT', '/api/v1/plans/creator', undefined, PLAN)).status).toBeLessThan(
      300,
    );
    const subscribe = (body: unknown) =>
      fetch(`${server.url}/status/api/v2/subscribers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await subscribe({ email: 'reader@example.com', language: 'am' })).status).toBe(202);
    expect((await subscribe({ endpoint: hookUrl })).status).toBe(202);

    const confirmation = await mailTo('reader@example.com', 'ምዝገባ ያረጋግጡ');
    const confirm = pathIn(confirmation, '/status/subscriptions/confirm');
    const page = await fetch(server.url + confirm);
    expect(page.status).toBe(200);
    const tokenValue = new URL(server.url + confirm).searchParams.get('token') ?? '';
    const confirmed = await fetch(`${server.url}/status/subscriptions/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokenValue }).toString(),
    });
    expect(confirmed.status).toBe(200);

    const declared = await call(server, token, 'POST', '/api/v1/incidents', {
      plan: 'creator',
      title: 'Uploads fail',
      severity: 'SEV1',
    });
    expect(declared.status).toBe(201);
    const id = (declared.json.incident as { id: string }).id;
    const update = await call(server, token, 'POST', `/api/v1/incidents/${id}/updates`, {
      audience: 'external',
      status: 'identified',
      bodies: { en: 'We found the cause.', am: 'መንስኤውን አግኝተናል።' },
    });
    expect(update.status).toBe(201);

    const notice = await mailTo('reader@example.com', 'Uploads fail');
    expect(notice.subject).toBe('[Status] Uploads fail - መንስኤው ተለይቷል');
    expect(notice.text).toContain('መንስኤውን አግኝተናል።');
    const unsubscribe = pathIn(notice, '/status/subscriptions/unsubscribe');
    const hook = await until(
      'the webhook notice',
      async () => hooks.find((h) => h.body.includes('Uploads fail')),
      90_000,
    );
    expect(hook.headers['webhook-signature']).toMatch(/^v1,/);
    expect(JSON.parse(hook.body).data.incident.incident_updates[0]).toMatchObject({
      status: 'identified',
      body: 'We found the cause.',
    });

    // One-click unsubscribe (RFC 8058): a POST to the link.
    const gone = await fetch(server.url + unsubscribe, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(gone.status).toBe(200);
    const list = await call(server, token, 'GET', '/api/v1/status-page/subscribers?kind=email');
    expect((list.json.subscribers as { status: string }[])[0]?.status).toBe('unsubscribed');
  });
});
