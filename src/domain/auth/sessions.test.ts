import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { SESSION_COOKIE } from './auth.ts';
import { setUserPassword } from './set-user-password.ts';

// Listing and ending one's own sessions (GET/DELETE /api/v1/auth/sessions).
let t: TestApp;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  t = await testApp();
  for (const handle of ['tigist', 'dawit']) {
    await addUser(t.ctx(), handle, { role: 'responder' });
    await setUserPassword({ ctx: t.ctx(), input: { user: handle, password: PASSWORD } });
  }
});
afterAll(() => t.close());

interface Signed {
  cookie: string;
  csrf: string;
}

async function signIn(login: string, userAgent: string): Promise<Signed> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { login, password: PASSWORD },
    headers: { 'user-agent': userAgent },
  });
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? '';
  return { cookie, csrf: res.json().csrf_token };
}

const as = (s: Signed, csrf = true) => ({
  cookie: `${SESSION_COOKIE}=${s.cookie}`,
  ...(csrf ? { 'x-csrf-token': s.csrf } : {}),
});

async function sessions(s: Signed) {
  const res = await t.app.inject({ url: '/api/v1/auth/sessions', headers: as(s) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().sessions as { id: string; current: boolean; user_agent: string; method: string }[];
}

describe('own sessions', () => {
  it('lists where I am signed in, marks this one, and never shows anyone else’s', async () => {
    const laptop = await signIn('tigist', 'Laptop browser');
    const phone = await signIn('tigist', 'Phone browser');
    await signIn('dawit', 'Dawit browser');
    const mine = await sessions(laptop);
    expect(mine.map((s) => s.user_agent).sort()).toEqual(['Laptop browser', 'Phone browser']);
    expect(mine.find((s) => s.current)?.user_agent).toBe('Laptop browser');
    expect(mine.every((s) => s.method === 'password')).toBe(true);
    expect((await sessions(phone)).find((s) => s.current)?.user_agent).toBe('Phone browser');
    // No session tokens or hashes in the answer.
    const raw = await t.app.inject({ url: '/api/v1/auth/sessions', headers: as(laptop) });
    expect(raw.body).not.toContain(laptop.cookie);
    expect(raw.body).not.toContain('token_hash');
  });

  it('ends another of my sessions at once, audited; another user’s is not found', async () => {
    const laptop = await signIn('tigist', 'Laptop 2');
    const phone = await signIn('tigist', 'Phone 2');
    const dawit = await signIn('dawit', 'Dawit 2');
    const phoneId = (await sessions(phone)).find((s) => s.current)?.id ?? '';
    const dawitId = (await sessions(dawit)).find((s) => s.current)?.id ?? '';

    // A cookie-authenticated change needs the CSRF token.
    const noCsrf = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${phoneId}`,
      headers: as(laptop, false),
    });
    expect(noCsrf.statusCode).toBe(403);
    const others = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${dawitId}`,
      headers: as(laptop),
    });
    expect(others.statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/v1/auth/session', headers: as(dawit) })).statusCode).toBe(200);

    const ended = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${phoneId}`,
      headers: as(laptop),
    });
    expect(ended.statusCode, ended.body).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/auth/session', headers: as(phone) })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/auth/session', headers: as(laptop) })).statusCode).toBe(200);
    expect((await sessions(laptop)).map((s) => s.id)).not.toContain(phoneId);
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${phoneId}`,
      headers: as(laptop),
    });
    expect(again.statusCode).toBe(404);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_name'])
      .where('action', '=', 'session.revoked')
      .execute();
    expect(audit).toEqual([{ action: 'session.revoked', actor_name: 'tigist' }]);
  });

  it('refuses a malformed id, and an API token has no sessions to list', async () => {
    const s = await signIn('tigist', 'Laptop 3');
    const bad = await t.app.inject({ method: 'DELETE', url: '/api/v1/auth/sessions/abc', headers: as(s) });
    expect(bad.statusCode).toBe(400);
    const viaToken = await t.app.inject({ url: '/api/v1/auth/sessions', headers: auth(t.adminToken) });
    expect(viaToken.statusCode).toBe(200);
    expect(viaToken.json().sessions).toEqual([]);
  });

  it("lets admins list and sign out anyone's sessions (?user=), audited; others are refused", async () => {
    const dawit = await signIn('dawit', 'Dawit lost laptop');
    const tigist = await signIn('tigist', 'Tigist 4');
    const admin = auth(t.adminToken);
    const listed = await t.app.inject({ url: '/api/v1/auth/sessions?user=dawit', headers: admin });
    expect(listed.statusCode, listed.body).toBe(200);
    const lost = (listed.json().sessions as { id: string; user_agent: string; current: boolean }[]).find(
      (x) => x.user_agent === 'Dawit lost laptop',
    );
    expect(lost?.current).toBe(false);
    const tigistId = (await sessions(tigist)).find((x) => x.current)?.id ?? '';

    // A responder may not look at or end someone else's sessions.
    const peek = await t.app.inject({ url: '/api/v1/auth/sessions?user=dawit', headers: as(tigist) });
    expect(peek.statusCode).toBe(403);
    const refused = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${lost?.id}?user=dawit`,
      headers: as(tigist),
    });
    expect(refused.statusCode).toBe(403);
    // The session must belong to the user named; an unknown user is not found.
    const mismatch = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${tigistId}?user=dawit`,
      headers: admin,
    });
    expect(mismatch.statusCode).toBe(404);
    expect(
      (await t.app.inject({ url: '/api/v1/auth/sessions?user=nobody', headers: admin })).statusCode,
    ).toBe(404);

    const ended = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${lost?.id}?user=dawit`,
      headers: admin,
    });
    expect(ended.statusCode, ended.body).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/auth/session', headers: as(dawit) })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/auth/session', headers: as(tigist) })).statusCode).toBe(200);
    const me = (await t.app.inject({ url: '/api/v1/me', headers: admin })).json().user.handle as string;
    const dawitRow = await t.db
      .selectFrom('users')
      .select('id')
      .where('handle', '=', 'dawit')
      .executeTakeFirstOrThrow();
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['actor_name', 'entity_id'])
      .where('action', '=', 'session.revoked')
      .where('actor_name', '=', me)
      .execute();
    expect(audit).toEqual([{ actor_name: me, entity_id: dawitRow.id }]);
  });
});
