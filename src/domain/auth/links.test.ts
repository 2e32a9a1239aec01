import type { ParsedMail } from 'mailparser';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { type Mailbox, startMailbox } from '../../../test/mailbox.ts';
import { Engine } from '../../engine/engine.ts';
import { outboxModule } from '../../engine/outbox.ts';
import { emailProvider } from '../../notify/providers/email.ts';
import { providerRegistry } from '../../notify/providers/provider.ts';
import { SESSION_COOKIE } from './auth.ts';
import { firstSignInLink } from './first-sign-in-link.ts';

// One-time links end to end: the first admin sign-in, invitations and password resets, with the
// emails sent through the real outbox and email provider to an SMTP server on loopback.

let t: TestApp;
let mailbox: Mailbox;

beforeAll(async () => {
  mailbox = await startMailbox();
  t = await testApp();
});
afterAll(async () => {
  await t.close();
  await mailbox.close();
});

/** Runs the outbox once and returns the mails it sent to an address. */
async function deliver(to: string, subject?: string): Promise<ParsedMail[]> {
  const module = outboxModule({
    providers: providerRegistry([
      emailProvider({ url: `smtp://127.0.0.1:${mailbox.port}`, from: 'tocsin@tocsin.test' }),
    ]),
  });
  await new Engine({ db: t.db, clock: t.clock, log: pino({ level: 'silent' }) }, [module]).runUntilIdle();
  await module.idle();
  return mailbox.mails.filter(
    (m) => JSON.stringify(m.to).includes(to) && (!subject || m.subject === subject),
  );
}

function tokenIn(text: string | undefined, path: string): string {
  const match = new RegExp(`http://tocsin\\.test${path}\\?token=([\\w-]+)`).exec(text ?? '');
  if (!match?.[1]) throw new Error(`no ${path} link in ${text}`);
  return match[1];
}

async function setPassword(token: string, password: string) {
  return t.app.inject({ method: 'POST', url: '/api/v1/auth/password', payload: { token, password } });
}

async function login(loginName: string, password: string) {
  return t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: loginName, password } });
}

describe('one-time links', () => {
  it('the first-start link lets the admin choose a password, once', async () => {
    const url = await firstSignInLink(t.db, t.clock, 'http://tocsin.test');
    const token = tokenIn(url, '/auth/first');
    const short = await setPassword(token, 'short');
    expect(short.statusCode).toBe(400);
    expect(short.json().error.details).toEqual([{ path: 'password', message: 'at least 10 characters' }]);
    const res = await setPassword(token, 'admin password 1');
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ handle: 'admin', role: 'admin' });
    expect(res.json().csrf_token).toBeTruthy();
    expect(res.cookies.find((c) => c.name === SESSION_COOKIE)?.httpOnly).toBe(true);
    const again = await setPassword(token, 'admin password 2');
    expect(again.statusCode).toBe(400);
    expect(again.json().error.details).toEqual([{ path: 'token', message: 'unknown, used or expired' }]);
    expect((await login('admin', 'admin password 1')).statusCode).toBe(200);
    // Once the admin has a password, starts print no link.
    expect(await firstSignInLink(t.db, t.clock, 'http://tocsin.test')).toBeUndefined();
  });

  it('an admin invites a user by email; the link sets the password and signs in, once', async () => {
    const id = await addUser(t.ctx(), 'hana', { role: 'responder', email: 'hana@team.example' });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${id}/invite`,
      headers: auth(t.adminToken),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().invitation).toMatchObject({ sent_to: 'hana@team.example', user: { handle: 'hana' } });
    // Managers reading the outbox (dead letters) never see the link: it signs in as the recipient.
    const outbox = await t.app.inject({ url: '/api/v1/outbox', headers: auth(t.adminToken) });
    const queued = JSON.stringify(outbox.json());
    expect(queued).toContain('token=(hidden)');
    expect(queued).not.toContain(res.json().invitation.url);
    const [mail] = await deliver('hana@team.example');
    expect(mail?.subject).toBe('You are invited to Tocsin');
    const token = tokenIn(mail?.text, '/auth/accept');
    const signedIn = await setPassword(token, 'hana chooses this');
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().user.handle).toBe('hana');
    expect((await login('hana@team.example', 'hana chooses this')).statusCode).toBe(200);
    expect((await setPassword(token, 'hana chooses again')).statusCode).toBe(400);
    const audit = await t.db.selectFrom('audit_log').select('action').where('entity_id', '=', id).execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['user.invited', 'user.password_set', 'session.created']),
    );
  });

  it('refuses invitations without permission, email or user; an invitation expires after 7 days', async () => {
    const responder = await t.tokenFor('responder');
    const id = await addUser(t.ctx(), 'kebede', { role: 'viewer', email: 'kebede@team.example' });
    const invite = (who: string, token = t.adminToken) =>
      t.app.inject({ method: 'POST', url: `/api/v1/users/${who}/invite`, headers: auth(token) });
    expect((await invite(id, responder)).statusCode).toBe(403);
    expect((await invite('nobody')).statusCode).toBe(404);
    await addUser(t.ctx(), 'nomail', { role: 'viewer' });
    const noMail = await invite('nomail');
    expect(noMail.statusCode).toBe(400);
    expect(noMail.json().error.details).toEqual([{ path: 'email', message: 'required for an invitation' }]);
    // By handle too; a newer invitation replaces the older link.
    const first = tokenIn((await invite('kebede')).json().invitation.url, '/auth/accept');
    const second = tokenIn((await invite(id)).json().invitation.url, '/auth/accept');
    expect((await setPassword(first, 'kebede password')).statusCode).toBe(400);
    t.clock.advance(7 * 86_400_000 + 1000);
    expect((await setPassword(second, 'kebede password')).statusCode).toBe(400);
  });

  it('resets a forgotten password by email: old password and sessions end; the link lasts an hour', async () => {
    await addUser(t.ctx(), 'selam', { role: 'responder', email: 'selam@team.example' });
    const invite = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users/selam/invite',
      headers: auth(t.adminToken),
    });
    await setPassword(tokenIn(invite.json().invitation.url, '/auth/accept'), 'selam old password');
    const oldSession = (await login('selam', 'selam old password')).cookies.find(
      (c) => c.name === SESSION_COOKIE,
    )?.value;

    const asked = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/reset',
      payload: { login: 'SELAM@team.example' },
    });
    expect(asked.statusCode).toBe(202);
    const [mail] = await deliver('selam@team.example', 'Reset your Tocsin password');
    expect(mail).toBeDefined();
    const token = tokenIn(mail?.text, '/auth/reset');
    expect((await setPassword(token, 'selam new password')).statusCode).toBe(200);
    expect((await login('selam', 'selam old password')).statusCode).toBe(401);
    expect((await login('selam', 'selam new password')).statusCode).toBe(200);
    const old = await t.app.inject({
      url: '/api/v1/auth/session',
      headers: { cookie: `${SESSION_COOKIE}=${oldSession}` },
    });
    expect(old.statusCode).toBe(401);

    // An hour later the link is dead.
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/reset', payload: { login: 'selam' } });
    const [, late] = await deliver('selam@team.example', 'Reset your Tocsin password');
    t.clock.advance(3_600_000);
    expect((await setPassword(tokenIn(late?.text, '/auth/reset'), 'selam newer password')).statusCode).toBe(
      400,
    );
  });

  it('answers a reset the same whether or not the login exists, and sends at most 3 an hour', async () => {
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/reset',
      payload: { login: 'ghost' },
    });
    expect(unknown.statusCode).toBe(202);
    await addUser(t.ctx(), 'dawit', { role: 'viewer', email: 'dawit@team.example' });
    for (let i = 0; i < 5; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/reset',
        payload: { login: 'dawit' },
      });
      expect(res.json()).toEqual(unknown.json());
    }
    expect(await deliver('dawit@team.example')).toHaveLength(3);
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/auth/reset', payload: {} });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([expect.objectContaining({ path: 'body.login' })]);
    const badToken = await setPassword('not-a-real-token', 'whatever password');
    expect(badToken.statusCode).toBe(400);
  });
});
