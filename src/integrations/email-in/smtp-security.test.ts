import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { selfSignedCertificate } from '../../../test/tls.ts';
import { ConfigError } from '../../config/env.ts';
import { createIntegration } from '../../domain/services/create-integration.ts';
import { saveService } from '../../domain/services/save-service.ts';
import { smtpOptionsFromEnv } from './attach.ts';
import { SmtpReceiver } from './smtp-receiver.ts';

// STARTTLS and AUTH of the SMTP receiver, with nodemailer as the sending server would use it and a
// self-signed certificate made for this run by openssl.

const USER = 'monitoring';
const PASSWORD = 'correct horse battery staple';

let t: TestApp;
let dir: string;
let certFile: string;
let keyFile: string;
let cert: Buffer;
let key: string;
const receivers: SmtpReceiver[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tocsin-smtp-tls-'));
  ({ certFile, keyFile } = selfSignedCertificate(dir));
  cert = readFileSync(certFile);
  t = await testApp();
  await saveService({ ctx: t.ctx(), input: { service: { name: 'mailer' }, mode: 'create' } });
  key = (await createIntegration({ ctx: t.ctx(), input: { service: 'mailer', type: 'email' } })).key;
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: Partial<ConstructorParameters<typeof SmtpReceiver>[1]>) {
  const receiver = new SmtpReceiver({ db: t.db, clock: t.clock }, { port: 0, host: '127.0.0.1', ...options });
  receivers.push(receiver);
  return receiver.listen();
}

interface SendOptions {
  requireTLS?: boolean;
  ignoreTLS?: boolean;
  auth?: { user: string; pass: string };
}

function send(port: number, subject: string, options: SendOptions) {
  const transport = createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    // The certificate made above, trusted as it is, by name: no verification is switched off.
    tls: { ca: [cert], servername: 'localhost' },
    ...options,
  });
  return transport.sendMail({
    from: 'alerts@monitoring.example',
    to: `${key}@tocsin.test`,
    subject,
    text: 'x',
  });
}

const alertCount = async () =>
  Number(
    (
      await t.db
        .selectFrom('alerts')
        .select(({ fn }) => fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('STARTTLS', () => {
  it('upgrades the session with the configured certificate, so requireTLS senders deliver', async () => {
    const port = await start({ tls: { cert, key: readFileSync(keyFile) } });
    const info = await send(port, 'Over TLS', { requireTLS: true });
    expect(info.accepted).toEqual([`${key}@tocsin.test`]);
    const [alert] = await t.db
      .selectFrom('alerts')
      .select('summary')
      .where('summary', '=', 'Over TLS')
      .execute();
    expect(alert).toBeDefined();
  });

  it('is not offered without a certificate: a requireTLS sender gives up, nothing stored', async () => {
    const port = await start({});
    const before = await alertCount();
    await expect(send(port, 'No TLS here', { requireTLS: true })).rejects.toMatchObject({ code: 'ETLS' });
    expect(await alertCount()).toBe(before);
  });
});

describe('AUTH', () => {
  let port = 0;
  beforeAll(async () => {
    port = await start({
      tls: { cert, key: readFileSync(keyFile) },
      auth: { user: USER, password: PASSWORD },
    });
  });

  it('takes mail from a sender that authenticated inside TLS (PLAIN and LOGIN)', async () => {
    const before = await alertCount();
    for (const method of ['PLAIN', 'LOGIN']) {
      const transport = createTransport({
        host: '127.0.0.1',
        port,
        requireTLS: true,
        tls: { ca: [cert], servername: 'localhost' },
        auth: { user: USER, pass: PASSWORD },
        authMethod: method,
      });
      const info = await transport.sendMail({
        from: 'a@monitoring.example',
        to: `${key}@tocsin.test`,
        subject: `Authenticated ${method}`,
        text: 'x',
      });
      expect(info.accepted).toHaveLength(1);
    }
    expect(await alertCount()).toBe(before + 2);
  });

  it('refuses unauthenticated mail with 530, a wrong password with 535, AUTH in clear with 538', async () => {
    const before = await alertCount();
    await expect(send(port, 'Anonymous', { requireTLS: true })).rejects.toMatchObject({ responseCode: 530 });
    await expect(
      send(port, 'Wrong password', { requireTLS: true, auth: { user: USER, pass: `${PASSWORD}!` } }),
    ).rejects.toMatchObject({ code: 'EAUTH', responseCode: 535 });
    await expect(
      send(port, 'Wrong user', { requireTLS: true, auth: { user: 'someone', pass: PASSWORD } }),
    ).rejects.toMatchObject({ code: 'EAUTH', responseCode: 535 });
    await expect(
      send(port, 'In clear', { ignoreTLS: true, auth: { user: USER, pass: PASSWORD } }),
    ).rejects.toMatchObject({ code: 'EAUTH', responseCode: 538 });
    expect(await alertCount()).toBe(before);
  });

  it('is never offered without TLS', () => {
    expect(
      () =>
        new SmtpReceiver(
          { db: t.db, clock: t.clock },
          { port: 0, host: '127.0.0.1', auth: { user: USER, password: PASSWORD } },
        ),
    ).toThrow(/needs TLS/);
  });
});

describe('settings from the environment', () => {
  const env = (vars: Record<string, string>) => {
    vi.unstubAllEnvs();
    vi.stubEnv('TOCSIN_SMTP_PORT', '2525');
    for (const name of [
      'TOCSIN_SMTP_IN_TLS_CERT',
      'TOCSIN_SMTP_IN_TLS_KEY',
      'TOCSIN_SMTP_IN_USER',
      'TOCSIN_SMTP_IN_PASSWORD',
    ])
      vi.stubEnv(name, vars[name] ?? '');
  };
  afterAll(() => vi.unstubAllEnvs());

  it('reads the certificate files and the credentials', () => {
    env({
      TOCSIN_SMTP_IN_TLS_CERT: certFile,
      TOCSIN_SMTP_IN_TLS_KEY: keyFile,
      TOCSIN_SMTP_IN_USER: USER,
      TOCSIN_SMTP_IN_PASSWORD: PASSWORD,
    });
    const options = smtpOptionsFromEnv();
    expect(options?.tls?.cert.toString()).toBe(cert.toString());
    expect(options?.tls?.key.toString()).toContain('PRIVATE KEY');
    expect(options?.auth).toEqual({ user: USER, password: PASSWORD });
    env({});
    expect(smtpOptionsFromEnv()).toMatchObject({ port: 2525, tls: undefined, auth: undefined });
  });

  it('stops on half a pair, an unreadable file, AUTH without TLS or a short password', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { TOCSIN_SMTP_IN_TLS_CERT: certFile },
        /TOCSIN_SMTP_IN_TLS_CERT is set but TOCSIN_SMTP_IN_TLS_KEY is not/,
      ],
      [
        { TOCSIN_SMTP_IN_PASSWORD: PASSWORD },
        /TOCSIN_SMTP_IN_PASSWORD is set but TOCSIN_SMTP_IN_USER is not/,
      ],
      [
        { TOCSIN_SMTP_IN_TLS_CERT: join(dir, 'missing.pem'), TOCSIN_SMTP_IN_TLS_KEY: keyFile },
        /TOCSIN_SMTP_IN_TLS_CERT: cannot read .*missing\.pem \(ENOENT\)/,
      ],
      [{ TOCSIN_SMTP_IN_USER: USER, TOCSIN_SMTP_IN_PASSWORD: PASSWORD }, /AUTH is only offered over TLS/],
      [
        { TOCSIN_SMTP_IN_USER: USER, TOCSIN_SMTP_IN_PASSWORD: 'short' },
        /TOCSIN_SMTP_IN_PASSWORD=\(value hidden\)/,
      ],
    ];
    for (const [vars, message] of cases) {
      env(vars);
      expect(() => smtpOptionsFromEnv()).toThrow(ConfigError);
      expect(() => smtpOptionsFromEnv()).toThrow(message);
    }
  });
});
