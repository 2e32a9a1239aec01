import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

describe('users, teams and tokens', () => {
  it('refuses requests without a token and with an unknown one', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/api/v1/users' });
    expect(none.statusCode).toBe(401);
    const wrong = await t.app.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: auth('tcs_nope_nope_nope_nope'),
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('unauthorized');
    // No token and a bad body: the missing token is the answer, not the body's fields.
    const both = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { handle: 'Bad Handle' },
    });
    expect(both.statusCode).toBe(401);
    const schema = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(schema.statusCode).toBe(200);
  });

  it('creates a user as admin and audits it in the same transaction', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth(t.adminToken),
      payload: { handle: 'selam', name: 'Selam Tesfaye', role: 'manager', leadership: true },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().user).toMatchObject({ handle: 'selam', role: 'manager', leadership: true });
    const auditRows = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'user.created')
      .execute();
    expect(auditRows.some((r) => (r.after as { handle: string }).handle === 'selam')).toBe(true);
  });

  it('answers 400 with field paths for bad bodies and 409 for a duplicate', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth(t.adminToken),
      payload: { handle: 'Not Valid', name: '', extra: true },
    });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toContain('body.handle');
    expect(paths).toContain('body.name');
    expect(paths).toContain('body.extra');
    const dup = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth(t.adminToken),
      payload: { handle: 'selam', name: 'Again' },
    });
    expect(dup.statusCode).toBe(409);
  });

  it('lets a responder read but not create users', async () => {
    const token = await t.tokenFor('responder');
    const read = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: auth(token) });
    expect(read.statusCode).toBe(200);
    const write = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth(token),
      payload: { handle: 'mallory', name: 'M' },
    });
    expect(write.statusCode).toBe(403);
    const stored = await t.db
      .selectFrom('users')
      .select('handle')
      .where('handle', '=', 'mallory')
      .executeTakeFirst();
    expect(stored).toBeUndefined();
  });

  it('stores tokens hashed and shows them once', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: auth(t.adminToken),
      payload: { name: 'ci' },
    });
    expect(res.statusCode).toBe(201);
    const { token } = res.json().token;
    expect(token).toMatch(/^tcs_/);
    const rows = await t.db.selectFrom('api_tokens').select(['token_hash', 'prefix']).execute();
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: auth(token) });
    expect(me.json().user.handle).toBe('admin');
  });

  it('creates a team with members and rejects unknown members', async () => {
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: auth(t.adminToken),
      payload: { name: 'platform', members: [{ user: 'selam' }] },
    });
    expect(ok.statusCode).toBe(201);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: auth(t.adminToken),
      payload: { name: 'ghosts', members: [{ user: 'nobody' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('members.0.user');
  });
});
