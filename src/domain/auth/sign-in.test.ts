import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { createMetrics } from '../../http/metrics.ts';
import { buildServer } from '../../http/server.ts';
import { SESSION_COOKIE } from './auth.ts';
import { setUserPassword } from './set-user-password.ts';

let t: TestApp;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  t = await testApp();
  await addUser(t.ctx(), 'abebe', { role: 'responder', email: 'Abebe@Example.com' });
  await setUserPassword({ ctx: t.ctx(), input: { user: 'abebe', password: PASSWORD } });
});
afterAll(() => t.close());

async function login(loginName: string, password: string, cookie?: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { login: loginName, password },
    headers: cookie ? { cookie: `${SESSION_COOKIE}=${cookie}` } : {},
  });
}

function sessionCookie(res: Awaited<ReturnType<typeof login>>) {
  const c = res.cookies.find((x) => x.name === SESSION_COOKIE);
  if (!c) throw new Error('no session cookie');
  return c;
}

describe('password sign-in and sessions', () => {
  it('signs in by user name or email (any case) and sets a HttpOnly, SameSite=Lax cookie', async () => {
    const res = await login('abebe', PASSWORD);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toMatchObject({
      handle: 'abebe',
      role: 'responder',
      email: 'Abebe@Example.com',
      time_zone: 'UTC',
    });
    expect(body.csrf_token).toMatch(/^[\w-]{20,}$/);
    const c = sessionCookie(res);
    expect(c).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    // http public URL: no Secure flag (browsers would drop the cookie).
    expect(c.secure).toBeUndefined();
    expect((await login('ABEBE@example.COM', PASSWORD)).statusCode).toBe(200);
    // Only the hash of the session id is stored.
    const rows = await t.db.selectFrom('sessions').select('token_hash').execute();
    expect(rows.map((r) => r.token_hash)).not.toContain(c.value);
  });

  it('marks the cookie Secure when the public URL is https', async () => {
    const https = await buildServer({
      db: t.db,
      clock: t.clock,
      log: pino({ level: 'silent' }),
      metrics: createMetrics(),
      publicUrl: 'https://tocsin.example.com',
      bodyLimit: 262_144,
      version: 'test',
    });
    const res = await https.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: 'abebe', password: PASSWORD },
    });
    expect(sessionCookie(res)).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax' });
    await https.close();
  });

  it('answers the session with the cookie, and the same CSRF token', async () => {
    const res = await login('abebe', PASSWORD);
    const cookie = sessionCookie(res).value;
    const session = await t.app.inject({
      url: '/api/v1/auth/session',
      headers: { cookie: `${SESSION_COOKIE}=${cookie}` },
    });
    expect(session.statusCode).toBe(200);
    expect(session.json()).toEqual({ user: res.json().user, csrf_token: res.json().csrf_token });
    expect((await t.app.inject({ url: '/api/v1/auth/session' })).statusCode).toBe(401);
    // A bearer token is a session too, without CSRF.
    const bearer = await t.app.inject({ url: '/api/v1/auth/session', headers: auth(t.adminToken) });
    expect(bearer.json()).toMatchObject({ user: { handle: 'admin', role: 'admin' }, csrf_token: null });
  });

  it('a cookie works for reads; a change needs X-CSRF-Token and permissions still come from the role', async () => {
    const res = await login('abebe', PASSWORD);
    const cookie = `${SESSION_COOKIE}=${sessionCookie(res).value}`;
    const csrf = res.json().csrf_token as string;
    expect((await t.app.inject({ url: '/api/v1/users', headers: { cookie } })).statusCode).toBe(200);
    const payload = { handle: 'newbie', name: 'Newbie' };
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie }, payload });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.message).toContain('X-CSRF-Token');
    const wrongCsrf = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { cookie, 'x-csrf-token': `${csrf.slice(0, -2)}xx` },
      payload,
    });
    expect(wrongCsrf.statusCode).toBe(403);
    // Right token: now the operation decides, and a responder may not create users.
    const forbidden = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { cookie, 'x-csrf-token': csrf },
      payload,
    });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.message).toContain('user:write');
    // A change the role allows goes through with the token.
    const token = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { name: 'laptop' },
    });
    expect(token.statusCode).toBe(201);
  });

  it('rotates the session at sign-in and ends it at sign-out', async () => {
    const first = sessionCookie(await login('abebe', PASSWORD)).value;
    const second = await login('abebe', PASSWORD, first);
    const secondCookie = sessionCookie(second).value;
    expect(secondCookie).not.toBe(first);
    const old = await t.app.inject({
      url: '/api/v1/auth/session',
      headers: { cookie: `${SESSION_COOKIE}=${first}` },
    });
    expect(old.statusCode).toBe(401);
    const cookie = `${SESSION_COOKIE}=${secondCookie}`;
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } });
    expect(noCsrf.statusCode).toBe(403);
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'x-csrf-token': second.json().csrf_token },
    });
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toBe('');
    expect((await t.app.inject({ url: '/api/v1/auth/session', headers: { cookie } })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/users', headers: { cookie } })).statusCode).toBe(401);
    // Signing out again (no live session) still answers 204.
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } })).statusCode,
    ).toBe(204);
  });

  it('ends a session after the idle timeout, and after the absolute lifetime even when used', async () => {
    const idle = `${SESSION_COOKIE}=${sessionCookie(await login('abebe', PASSWORD)).value}`;
    const busy = `${SESSION_COOKIE}=${sessionCookie(await login('abebe', PASSWORD)).value}`;
    const status = async (cookie: string) =>
      (await t.app.inject({ url: '/api/v1/auth/session', headers: { cookie } })).statusCode;
    t.clock.advance(23 * 3_600_000);
    expect(await status(busy)).toBe(200);
    t.clock.advance(2 * 3_600_000);
    expect(await status(idle)).toBe(401);
    expect(await status(busy)).toBe(200);
    // Used every 23 hours, the busy one lives until 14 days (336 h) after sign-in, not longer.
    for (let day = 0; day < 13; day++) {
      t.clock.advance(23 * 3_600_000);
      expect(await status(busy)).toBe(200);
    }
    t.clock.advance(12 * 3_600_000);
    expect(await status(busy)).toBe(401);
  });

  it('refuses wrong passwords and unknown logins alike, and audits them', async () => {
    const wrong = await login('abebe', 'not the password');
    expect(wrong.statusCode).toBe(401);
    const unknown = await login('nobody', 'not the password');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.message).toBe(wrong.json().error.message);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'entity_id', 'after'])
      .where('action', 'in', ['sign_in.failed', 'session.created'])
      .orderBy('id', 'desc')
      .limit(3)
      .execute();
    expect(audit[0]).toMatchObject({ action: 'sign_in.failed', entity_id: 'unknown' });
    expect(audit[1]?.action).toBe('sign_in.failed');
    expect(audit[2]?.action).toBe('session.created');
    // A user without a password cannot sign in with any.
    await addUser(t.ctx(), 'nopass', { role: 'viewer' });
    expect((await login('nopass', '')).statusCode).toBe(400);
    expect((await login('nopass', 'anything at all')).statusCode).toBe(401);
  });

  it('throttles guessing with 429 and Retry-After, per login, until the window passes', async () => {
    await addUser(t.ctx(), 'target', { role: 'viewer' });
    await setUserPassword({ ctx: t.ctx(), input: { user: 'target', password: PASSWORD } });
    for (let i = 0; i < 5; i++) expect((await login('target', `guess ${i}`)).statusCode).toBe(401);
    const limited = await login('target', PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBe(15 * 60);
    // Other logins are not affected.
    expect((await login('abebe', PASSWORD)).statusCode).toBe(200);
    t.clock.advance(15 * 60_000 + 1000);
    expect((await login('target', PASSWORD)).statusCode).toBe(200);
  });

  it('refuses malformed sign-in bodies with the field named', async () => {
    const missing = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: 'abebe' },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details).toEqual([expect.objectContaining({ path: 'body.password' })]);
    const extra = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: 'abebe', password: PASSWORD, remember: true },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.details).toEqual([{ path: 'body.remember', message: 'unknown field' }]);
  });

  it('lists the sign-in methods, and describes the answers in the OpenAPI document', async () => {
    const res = await t.app.inject({ url: '/api/v1/auth/providers' });
    expect(res.json()).toEqual({ password: true, oidc: [] });
    const spec = (await t.app.inject({ url: '/api/v1/openapi.json' })).json();
    const login = spec.paths['/api/v1/auth/login'].post.responses['200'].content['application/json'].schema;
    expect(Object.keys(login.properties)).toEqual(['user', 'csrf_token']);
    for (const path of [
      '/api/v1/auth/session',
      '/api/v1/auth/logout',
      '/api/v1/auth/password',
      '/api/v1/auth/reset',
      '/api/v1/users/{id}/invite',
      '/api/v1/events/stream',
    ]) {
      expect(spec.paths, path).toHaveProperty([path]);
    }
  });
});
