import { type AddressInfo, createServer } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../config/env.ts';
import type { NotificationPayload } from '../message.ts';
import {
  emailMessageId,
  emailProvider,
  emailProviderFromEnv,
  renderEmail,
  safeLink,
  smtpProviderId,
} from './email.ts';
import type { OutboundMessage } from './provider.ts';
import { deliveryFailure } from './testing.ts';

// The email provider against a real SMTP server (smtp-server) on loopback: what arrives is parsed
// with mailparser and checked header by header. Recipients decide how the server answers:
// busy@ → 451 (try later), nobody@ → 550 (no such mailbox).

const received: { envelopeTo: string[]; user: string | undefined; mail: ParsedMail }[] = [];
let port = 0;

const server = new SMTPServer({
  authOptional: false,
  allowInsecureAuth: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onAuth(auth, _session, callback) {
    if (auth.username === 'tocsin' && auth.password === 's3cret') callback(null, { user: auth.username });
    else callback(Object.assign(new Error('5.7.8 bad credentials'), { responseCode: 535 }));
  },
  onRcptTo(address, _session, callback) {
    if (address.address.startsWith('busy@'))
      callback(Object.assign(new Error('4.2.1 mailbox busy, try later'), { responseCode: 451 }));
    else if (address.address.startsWith('nobody@'))
      callback(Object.assign(new Error('5.1.1 no such mailbox'), { responseCode: 550 }));
    else callback();
  },
  onData(stream, session, callback) {
    simpleParser(stream).then(
      (mail) => {
        received.push({
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          user: session.user,
          mail,
        });
        callback(null, `Ok: queued as Q${received.length}`);
      },
      (error: Error) => callback(error),
    );
  },
});

beforeAll(async () => {
  await new Promise<void>((resolve) => {
    const net = server.listen(0, '127.0.0.1', () => {
      port = (net.address() as AddressInfo).port;
      resolve();
    });
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const FROM = 'Tocsin <pager@tocsin.example>';
const provider = () => emailProvider({ url: `smtp://tocsin:s3cret@127.0.0.1:${port}`, from: FROM });

function message(destination: string, payload: NotificationPayload, id = '42'): OutboundMessage {
  const now = new Date('2026-03-02T10:00:00Z');
  return { id, channel: 'email', destination, template: 'page', payload, createdAt: now, attempt: 1, now };
}

const page: NotificationPayload = {
  kind: 'page',
  text: 'Checkout <script>alert(1)</script> is down & "payments" fail\nsecond line\n\nnext paragraph',
  incident: {
    id: 'inc-7',
    title: 'Checkout <b>down</b>',
    severity: 'SEV1',
    state: 'open',
    url: 'https://tocsin.example/incidents/inc-7?a=1&b=2',
  },
  ack: { url: 'https://tocsin.example/ack/tok?x=1&y="2"', code: '4821' },
};

const failure = deliveryFailure;

describe('email provider over SMTP', () => {
  it('delivers text and HTML with the outbox id in Message-ID and X-Tocsin-Message', async () => {
    const result = await provider().send(message('oncall@team.example', page, 'row-42'));
    const last = received.at(-1);
    expect(last?.envelopeTo).toEqual(['oncall@team.example']);
    expect(last?.user).toBe('tocsin');
    const mail = last?.mail as ParsedMail;
    expect(result.providerId).toBe(`Q${received.length}`);
    expect(mail.messageId).toBe('<outbox-row-42@tocsin.example>');
    expect(mail.headers.get('x-tocsin-message')).toBe('row-42');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.from?.value[0]).toMatchObject({ address: 'pager@tocsin.example', name: 'Tocsin' });
    // The subject is the text's first line, raw (mail headers are not HTML).
    expect(mail.subject).toBe('Checkout <script>alert(1)</script> is down & "payments" fail');
    expect(mail.text).toContain('second line');
    expect(mail.text).toContain('Acknowledge: https://tocsin.example/ack/tok?x=1&y="2"');
    expect(mail.text).toContain('Incident: https://tocsin.example/incidents/inc-7?a=1&b=2');
    const body = String(mail.html);
    expect(body).not.toContain('<script>');
    expect(body).not.toContain('<b>down</b>');
    expect(body).toContain(
      'Checkout &lt;script&gt;alert(1)&lt;/script&gt; is down &amp; &quot;payments&quot; fail<br>second line',
    );
    expect(body).toContain('<p>next paragraph</p>');
    expect(body).toContain('Checkout &lt;b&gt;down&lt;/b&gt;');
    expect(body).toContain('<a href="https://tocsin.example/ack/tok?x=1&amp;y=&quot;2&quot;"');
    expect(body).toContain('>Acknowledge</a>');
    expect(body).toContain('<a href="https://tocsin.example/incidents/inc-7?a=1&amp;b=2">');
  });

  it('sends the same Message-ID on a retry of the same row', async () => {
    await provider().send(message('a@team.example', { kind: 'notify', text: 'one' }, 'same'));
    await provider().send({
      ...message('a@team.example', { kind: 'notify', text: 'one' }, 'same'),
      attempt: 2,
    });
    const [first, second] = received.slice(-2).map((r) => r.mail.messageId);
    expect(first).toBe('<outbox-same@tocsin.example>');
    expect(second).toBe(first);
  });

  it('answers a 4xx reply with a retryable error and a 5xx with a permanent one', async () => {
    const busy = await failure(provider().send(message('busy@team.example', page)));
    expect(busy.retryable).toBe(true);
    expect(busy.message).toMatch(/451/);
    const gone = await failure(provider().send(message('nobody@team.example', page)));
    expect(gone.retryable).toBe(false);
    expect(gone.message).toMatch(/550/);
  });

  it('treats refused credentials (535) as permanent and a dead server as retryable', async () => {
    const badAuth = emailProvider({ url: `smtp://tocsin:wrong@127.0.0.1:${port}`, from: FROM });
    expect((await failure(badAuth.send(message('a@team.example', page)))).retryable).toBe(false);
    // A port that was free a moment ago: connection refused.
    const free = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const down = emailProvider({ url: `smtp://127.0.0.1:${free}`, from: FROM, timeoutMs: 2000 });
    const error = await failure(down.send(message('a@team.example', page)));
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/ECONNECTION|ECONNREFUSED/);
  });

  it('refuses a destination that is not an address, permanently, without connecting', async () => {
    const before = received.length;
    const error = await failure(provider().send(message('not an address', page)));
    expect(error.retryable).toBe(false);
    const injected = await failure(provider().send(message('a@team.example\r\nBcc: x@evil.example', page)));
    expect(injected.retryable).toBe(false);
    expect(received.length).toBe(before);
  });
});

describe('email rendering', () => {
  it('keeps newlines out of the subject and falls back when the text is empty', () => {
    expect(renderEmail({ kind: 'notify', text: 'x', subject: 'a\r\nBcc: evil@x' }).subject).toBe(
      'a Bcc: evil@x',
    );
    expect(renderEmail({}).subject).toBe('Tocsin notification');
  });

  it('shows a verification code that the text does not already carry', () => {
    const r = renderEmail({ kind: 'verify', text: 'Confirm this address', code: '913-204' });
    expect(r.text).toContain('Code: 913-204');
    expect(r.html).toContain('<strong>913-204</strong>');
    expect(renderEmail({ kind: 'verify', text: 'Your code is 913-204', code: '913-204' }).text).not.toContain(
      'Code:',
    );
  });

  it('links only http(s) URLs', () => {
    const r = renderEmail({ kind: 'page', text: 'x', ack: { url: 'javascript:alert(1)', code: '1' } });
    expect(r.html).not.toContain('javascript:');
    expect(r.text).not.toContain('javascript:');
    expect(safeLink('https://a.example/x')).toBe('https://a.example/x');
    expect(safeLink('data:text/html,hi')).toBeUndefined();
    expect(safeLink('not a url')).toBeUndefined();
  });

  it('derives the Message-ID domain from the From address and the provider id from the reply', () => {
    expect(emailMessageId('9', 'pager@ops.example')).toBe('<outbox-9@ops.example>');
    expect(emailMessageId('9', 'Tocsin <pager@ops.example>')).toBe('<outbox-9@ops.example>');
    expect(smtpProviderId('250 2.0.0 Ok: queued as 4FB7B1C2', '<m>')).toBe('4FB7B1C2');
    expect(smtpProviderId('250 Accepted', '<m>')).toBe('250 Accepted');
    expect(smtpProviderId(undefined, '<m>')).toBe('<m>');
  });
});

describe('email from the environment', () => {
  it('is off without TOCSIN_SMTP_URL and needs a From address with it', async () => {
    expect(emailProviderFromEnv(loadEnv({}))).toBeUndefined();
    expect(() => emailProviderFromEnv(loadEnv({ TOCSIN_SMTP_URL: 'smtp://127.0.0.1:25' }))).toThrow(
      ConfigError,
    );
    expect(() => loadEnv({ TOCSIN_SMTP_URL: 'http://mail.example' })).toThrow(/TOCSIN_SMTP_URL/);
    const provider = emailProviderFromEnv(
      loadEnv({
        TOCSIN_SMTP_URL: `smtp://tocsin:s3cret@127.0.0.1:${port}`,
        TOCSIN_SMTP_FROM: 'ops@env.example',
      }),
    );
    expect(provider?.channel).toBe('email');
    await provider?.send(message('a@team.example', { kind: 'notify', text: 'from env' }, 'env-1'));
    expect(received.at(-1)?.mail.messageId).toBe('<outbox-env-1@env.example>');
  });
});
