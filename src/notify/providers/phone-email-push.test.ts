import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeNtfy } from '../../../test/fakes/ntfy.ts';
import { FakeTwilio } from '../../../test/fakes/twilio.ts';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { enqueueNotification } from '../../domain/notifications/enqueue.ts';
import { Engine } from '../../engine/engine.ts';
import { type OutboxModule, outboxModule } from '../../engine/outbox.ts';
import type { NotificationPayload } from '../message.ts';
import { emailProvider } from './email.ts';
import { ntfyProvider } from './ntfy.ts';
import { providerRegistry } from './provider.ts';
import { twilioSmsProvider, twilioVoiceProvider } from './twilio.ts';

// One page through the outbox engine to each channel of this folder's providers — email (a real
// SMTP server), push (ntfy fake), sms and voice (Twilio fake) — on a virtual clock: the provider ids
// land on the rows, an SMTP 4xx is retried after the backoff and a 5xx becomes a dead letter.

const SECOND = 1000;
const SID = `AC${'ab'.repeat(16)}`;
const TOKEN = 'twilio-token-0123456789';
const clock = new VirtualClock('2026-03-02T10:00:00Z');
let t: TestDb;
let twilio: FakeTwilio;
let ntfy: FakeNtfy;
let smtpPort = 0;
const mails: ParsedMail[] = [];
// Recipients the SMTP server turns away, with the reply code (shifted per attempt).
const smtpRefusals: Record<string, number[]> = {};

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  logger: false,
  onRcptTo(address, _session, callback) {
    const code = smtpRefusals[address.address]?.shift();
    if (code)
      callback(
        Object.assign(new Error(`${code === 451 ? '4.3.0 later' : '5.1.1 unknown'}`), { responseCode: code }),
      );
    else callback();
  },
  onData(stream, _session, callback) {
    simpleParser(stream).then(
      (mail) => {
        mails.push(mail);
        callback(null, `Ok: queued as M${mails.length}`);
      },
      (error: Error) => callback(error),
    );
  },
});

beforeAll(async () => {
  await new Promise<void>((resolve) => {
    const net = smtp.listen(0, '127.0.0.1', () => {
      smtpPort = (net.address() as AddressInfo).port;
      resolve();
    });
  });
  [twilio, ntfy, t] = await Promise.all([
    FakeTwilio.start({ accountSid: SID, authToken: TOKEN }),
    FakeNtfy.start(),
    freshDb(),
  ]);
});
afterAll(async () => {
  await Promise.all([t.close(), twilio.close(), ntfy.close()]);
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

function outbox(): OutboxModule {
  const twilioOptions = { accountSid: SID, authToken: TOKEN, from: '+15005550006', apiUrl: twilio.url };
  return outboxModule({
    providers: providerRegistry([
      emailProvider({ url: `smtp://127.0.0.1:${smtpPort}`, from: 'pager@tocsin.example' }),
      ntfyProvider({ baseUrl: ntfy.url }),
      twilioSmsProvider(twilioOptions),
      twilioVoiceProvider({ ...twilioOptions, gatherUrl: 'https://tocsin.example/api/v1/twilio/voice' }),
    ]),
    retry: { maxAttempts: 4 },
  });
}

async function run(module: OutboxModule) {
  await new Engine({ db: t.db, clock, log: pino({ level: 'silent' }) }, [module]).runUntilIdle();
  await module.idle();
}

const page: NotificationPayload = {
  kind: 'page',
  text: 'SEV1: checkout down',
  incident: {
    id: 'i1',
    title: 'checkout down',
    severity: 'SEV1',
    state: 'open',
    url: 'https://tocsin.example/i/1',
  },
  ack: { url: 'https://tocsin.example/ack/x', code: '4821' },
};

async function queue(channel: string, destination: string) {
  const id = await enqueueNotification(
    t.db,
    { incidentId: null, channel, destination, payload: { ...page }, dedupKey: `${channel}:${destination}` },
    clock.now(),
  );
  if (!id) throw new Error('not queued');
  return id;
}

const row = (id: string) =>
  t.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('paging through the outbox with email, push, sms and voice', () => {
  it('delivers each channel once and stores the provider’s id', async () => {
    const ids = {
      email: await queue('email', 'alice@team.example'),
      push: await queue('push', 'alice-pager'),
      sms: await queue('sms', '+251911234567'),
      voice: await queue('voice', '+251911234567'),
    };
    await run(outbox());
    const mail = mails.find((m) => m.headers.get('x-tocsin-message') === ids.email);
    expect(await row(ids.email)).toMatchObject({
      status: 'sent',
      attempts: 1,
      provider_id: `M${mails.length}`,
    });
    expect(mail?.subject).toBe('SEV1: checkout down');
    expect(await row(ids.push)).toMatchObject({ status: 'sent', provider_id: ntfy.published.at(-1)?.id });
    expect(ntfy.published.at(-1)).toMatchObject({ topic: 'alice-pager', priority: 5 });
    expect(await row(ids.sms)).toMatchObject({ status: 'sent', provider_id: twilio.messages.at(-1)?.sid });
    expect(twilio.messages.at(-1)?.params.Body).toBe('SEV1: checkout down\nReply 4821 to acknowledge');
    expect(await row(ids.voice)).toMatchObject({ status: 'sent', provider_id: twilio.calls.at(-1)?.sid });
    expect(twilio.calls.at(-1)?.params.Twiml).toContain(`message=${ids.voice}`);
    // A second pass sends nothing more.
    const counts = [mails.length, ntfy.published.length, twilio.created.length];
    await run(outbox());
    expect([mails.length, ntfy.published.length, twilio.created.length]).toEqual(counts);
  });

  it('retries an SMTP 4xx after the backoff and dead-letters a 5xx at once', async () => {
    smtpRefusals['busy@team.example'] = [451];
    smtpRefusals['gone@team.example'] = [550];
    const busy = await queue('email', 'busy@team.example');
    const gone = await queue('email', 'gone@team.example');
    const m = outbox();
    await run(m);
    expect(await row(busy)).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await row(busy)).last_error).toMatch(/^SMTP 451/);
    expect(await row(gone)).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await row(gone)).last_error).toMatch(/^SMTP 550/);
    clock.advance(30 * SECOND);
    await run(m);
    expect(await row(busy)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('retries a Twilio 503 and dead-letters a 400', async () => {
    twilio.failNext(503, 20500, 'Service Unavailable');
    const flaky = await queue('sms', '+4915112345678');
    await run(outbox());
    expect(await row(flaky)).toMatchObject({
      status: 'pending',
      last_error: 'Twilio HTTP 503 20500: Service Unavailable',
    });
    twilio.failNext(400, 21211, "The 'To' number is not a valid phone number.");
    clock.advance(30 * SECOND);
    await run(outbox());
    expect(await row(flaky)).toMatchObject({ status: 'failed', attempts: 2 });
    expect((await row(flaky)).last_error).toMatch(/^Twilio HTTP 400 21211/);
  });
});
