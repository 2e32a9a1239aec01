import { type AddressInfo, createServer } from 'node:net';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { connect } from '../../db/connect.ts';
import { createIntegration } from '../../domain/services/create-integration.ts';
import { saveService } from '../../domain/services/save-service.ts';
import { smtpOptionsFromEnv } from './attach.ts';
import {
  emailConfigSchema,
  emailToAlertEvent,
  type ReceivedEmail,
  stripResolvePrefix,
} from './email-alert.ts';
import { SmtpReceiver } from './smtp-receiver.ts';

// Email-in end to end: nodemailer sends over SMTP on loopback to the built-in receiver, and the
// alerts land in the store before the receiver says 250.

let t: TestApp;
let receiver: SmtpReceiver;
let port = 0;
const keys: Record<string, string> = {};

beforeAll(async () => {
  t = await testApp();
  await saveService({ ctx: t.ctx(), input: { service: { name: 'legacy' }, mode: 'create' } });
  const add = async (name: string, config: Record<string, unknown> = {}) =>
    (await createIntegration({ ctx: t.ctx(), input: { service: 'legacy', type: 'email', name, config } }))
      .key;
  keys.plain = await add('nagios-mail');
  keys.header = await add('zabbix-mail', { dedupHeader: 'X-Alert-Id', severity: 'critical' });
  keys.pagerduty = (
    await createIntegration({ ctx: t.ctx(), input: { service: 'legacy', type: 'pagerduty' } })
  ).key;
  receiver = new SmtpReceiver(
    { db: t.db, clock: t.clock },
    { port: 0, host: '127.0.0.1', maxBytes: 64 * 1024 },
  );
  port = await receiver.listen();
});
afterAll(async () => {
  await receiver.close();
  await t.close();
});

function send(to: string | string[], subject: string, extra: Record<string, unknown> = {}, at = port) {
  const transport = createTransport({ host: '127.0.0.1', port: at, secure: false, ignoreTLS: true });
  return transport.sendMail({
    from: 'nagios@monitoring.example',
    to,
    subject,
    text: 'Filesystem / is 98% full',
    ...extra,
  });
}

async function alerts() {
  return t.db
    .selectFrom('alerts')
    .select(['dedup_key', 'status', 'summary', 'severity', 'count', 'source'])
    .orderBy('id')
    .execute();
}

describe('email integrations over SMTP', () => {
  it('turn a message into an alert, repeats into its count, and RESOLVED into its resolution', async () => {
    const info = await send(`${keys.plain}@tocsin.test`, 'Disk full on db-1');
    expect(info.accepted).toEqual([`${keys.plain}@tocsin.test`]);
    // Answered 250 only after the commit: the alert is there already.
    const [alert] = await alerts();
    expect(alert).toMatchObject({
      dedup_key: expect.stringMatching(/^email:[0-9a-f]{32}$/),
      status: 'triggered',
      summary: 'Disk full on db-1',
      severity: 'error',
      count: 1,
      source: 'nagios@monitoring.example',
    });
    const stored = await t.db.selectFrom('alerts').select('details').executeTakeFirstOrThrow();
    expect(stored.details).toMatchObject({
      body: 'Filesystem / is 98% full',
      from: 'nagios@monitoring.example',
    });

    await send(`${keys.plain}@tocsin.test`, 'Disk  full on DB-1');
    expect((await alerts()).map((a) => [a.status, a.count])).toEqual([['triggered', 2]]);
    await send(`${keys.plain}@mail.example.org`, 'RESOLVED: Disk full on db-1');
    expect((await alerts()).map((a) => a.status)).toEqual(['resolved']);
  });

  it('take the dedup key from a configured header, and the severity from the integration', async () => {
    await send(`${keys.header}@tocsin.test`, 'PROBLEM: CPU high on web-3', {
      headers: { 'X-Alert-Id': 'zbx-4711' },
    });
    await send(`${keys.header}@tocsin.test`, '[OK] CPU back to normal on web-3', {
      headers: { 'X-Alert-Id': 'zbx-4711' },
    });
    const zbx = (await alerts()).filter((a) => a.dedup_key === 'zbx-4711');
    expect(zbx).toEqual([
      {
        dedup_key: 'zbx-4711',
        status: 'resolved',
        summary: 'PROBLEM: CPU high on web-3',
        severity: 'critical',
        count: 1,
        source: 'nagios@monitoring.example',
      },
    ]);
  });

  it('refuse unknown recipients at RCPT TO (550), deliver to the known ones of the same message', async () => {
    const before = (await alerts()).length;
    await expect(send('0123456789abcdef0123456789abcdef@tocsin.test', 'Anything')).rejects.toMatchObject({
      responseCode: 550,
    });
    await expect(send(`${keys.pagerduty}@tocsin.test`, 'Not an email integration')).rejects.toMatchObject({
      responseCode: 550,
    });
    expect((await alerts()).length).toBe(before);
    const info = await send([`${keys.plain}@tocsin.test`, 'nobody@tocsin.test'], 'Backup job failed');
    expect(info.accepted).toEqual([`${keys.plain}@tocsin.test`]);
    expect(info.rejected).toEqual(['nobody@tocsin.test']);
    expect((await alerts()).at(-1)).toMatchObject({ summary: 'Backup job failed', status: 'triggered' });
  });

  it('ignore out-of-office replies and refuse messages over the size limit (552)', async () => {
    const before = (await alerts()).length;
    const info = await send(`${keys.plain}@tocsin.test`, 'Automatic reply: Disk full on db-1', {
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    expect(info.accepted).toHaveLength(1);
    await expect(
      send(`${keys.plain}@tocsin.test`, 'Huge', { text: 'x'.repeat(100 * 1024) }),
    ).rejects.toMatchObject({
      responseCode: 552,
    });
    expect((await alerts()).length).toBe(before);
  });

  it('answer 451 (try again later) when the store is unavailable', async () => {
    const { db } = connect('postgres://nobody@127.0.0.1:1/none', 1);
    const down = new SmtpReceiver({ db, clock: t.clock }, { port: 0, host: '127.0.0.1' });
    const downPort = await down.listen();
    try {
      await expect(send(`${keys.plain}@tocsin.test`, 'Lost?', {}, downPort)).rejects.toMatchObject({
        responseCode: 451,
      });
    } finally {
      await down.close();
      await db.destroy();
    }
  });

  it('store a message carrying NUL as U+FFFD, instead of answering 451 to every retry', async () => {
    // A NUL in a subject or body (quoted-printable =00) reaches the alert's text and jsonb, which
    // refuse it: the transaction failed, the receiver answered 451, and the sending server retried
    // for days, every retry refused the same way, with no alert ever raised.
    const info = await send(`${keys.plain}@tocsin.test`, 'Queue\u0000stuck on mq-2', {
      text: 'depth\u0000 12000',
      headers: { 'X-Note': 'a\u0000b' },
    });
    expect(info.accepted).toEqual([`${keys.plain}@tocsin.test`]);
    const stored = await t.db
      .selectFrom('alerts')
      .select(['summary', 'details'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      summary: 'Queue\uFFFDstuck on mq-2',
      details: { subject: 'Queue\uFFFDstuck on mq-2', body: 'depth\uFFFD 12000' },
    });
  });

  it('checks email integration config when it is created', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/services/legacy/integrations',
      headers: auth(t.adminToken),
      payload: { type: 'email', name: 'bad', config: { dedupHeader: 'X Alert', severity: 'loud' } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.map((d: { path: string }) => d.path)).toEqual([
      'config.dedupHeader',
      'config.severity',
    ]);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/services/legacy/integrations',
      headers: auth(t.adminToken),
      payload: { type: 'email', name: 'ok' },
    });
    expect(ok.json().integration).toMatchObject({
      config: { severity: 'error', resolvePrefixes: ['RESOLVED', 'OK'] },
      url: `mailto:${ok.json().integration.key}@tocsin.test`,
    });
  });
});

describe('the receiver in tocsin serve', () => {
  it('starts with the HTTP server when TOCSIN_SMTP_PORT is set, and stops with it', async () => {
    vi.stubEnv('TOCSIN_SMTP_PORT', '');
    expect(smtpOptionsFromEnv()).toBeUndefined();
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const free = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    vi.stubEnv('TOCSIN_SMTP_PORT', String(free));
    vi.stubEnv('TOCSIN_SMTP_HOST', '127.0.0.1');
    const other = await testApp();
    vi.unstubAllEnvs();
    try {
      await other.app.ready();
      await saveService({ ctx: other.ctx(), input: { service: { name: 'mail' }, mode: 'create' } });
      const { key } = await createIntegration({
        ctx: other.ctx(),
        input: { service: 'mail', type: 'email' },
      });
      expect((await send(`${key}@tocsin.test`, 'Hello', {}, free)).accepted).toHaveLength(1);
    } finally {
      await other.close();
    }
    await expect(send('x@tocsin.test', 'After stop', {}, free)).rejects.toMatchObject({ code: 'ESOCKET' });
  });
});

describe('messages to alert events', () => {
  const mail = (subject: string, headers: Record<string, string> = {}): ReceivedEmail => ({
    subject,
    from: 'a@b.example',
    to: [],
    messageId: null,
    date: null,
    text: '',
    headers: new Map(Object.entries(headers)),
  });
  const config = emailConfigSchema.parse({});

  it('recognise resolving prefixes in their usual spellings only', () => {
    const prefixes = ['RESOLVED', 'OK'];
    expect(stripResolvePrefix('RESOLVED: Disk full', prefixes)).toBe('Disk full');
    expect(stripResolvePrefix('[Resolved] Disk full', prefixes)).toBe('Disk full');
    expect(stripResolvePrefix('ok - Disk full', prefixes)).toBe('Disk full');
    expect(stripResolvePrefix('OKAY Disk full', prefixes)).toBeNull();
    expect(stripResolvePrefix('Disk full: resolved soon', prefixes)).toBeNull();
  });

  it('resolve what the same subject triggered, and give blank subjects a summary', () => {
    const trigger = emailToAlertEvent(mail('Disk full on db-1'), config);
    const resolve = emailToAlertEvent(mail('RESOLVED: disk full on DB-1'), config);
    expect(trigger?.action).toBe('trigger');
    expect(resolve).toMatchObject({ action: 'resolve', dedupKey: trigger?.dedupKey });
    expect(emailToAlertEvent(mail(''), config)).toMatchObject({ summary: '(no subject)' });
    expect(emailToAlertEvent(mail('x', { 'auto-submitted': 'auto-generated' }), config)).not.toBeNull();
  });
});
