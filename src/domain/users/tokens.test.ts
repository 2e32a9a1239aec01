import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../../test/cli-harness.ts';
import { addUser, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { authenticate } from './authenticate.ts';
import { bootstrapAdmin } from './bootstrap-admin.ts';
import { TOKEN_CACHE_MS } from './token-cache.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const me = (token: string) => t.app.inject({ url: '/api/v1/me', headers: auth(token) });

async function create(token: string, body: Record<string, unknown>) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: auth(token),
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().token as { id: string; token: string; expires_at: string | null };
}

describe('API tokens', () => {
  it('are listed without the secret, and a revoked one stops working at once', async () => {
    const created = await create(t.adminToken, { name: 'ci' });
    expect((await me(created.token)).statusCode).toBe(200);
    const list = await t.app.inject({ url: '/api/v1/tokens', headers: auth(t.adminToken) });
    const tokens = list.json().tokens as Record<string, unknown>[];
    const ci = tokens.find((x) => x.id === created.id);
    expect(ci).toEqual({
      id: created.id,
      name: 'ci',
      prefix: created.token.slice(0, 10),
      user: 'admin',
      created_at: expect.any(String),
      last_used_at: expect.any(String),
      expires_at: null,
      revoked_at: null,
      state: 'active',
    });
    expect(list.body).not.toContain(created.token);

    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${created.id}`,
      headers: auth(t.adminToken),
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().token.revoked_at).not.toBeNull();
    expect((await me(created.token)).statusCode).toBe(401);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'api_token')
      .where('entity_id', '=', created.id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['token.created', 'token.revoked']);
  });

  it('are private: others see, list and revoke only their own; admins anyone’s', async () => {
    const responder = await t.tokenFor('responder', 'rahel');
    const admins = await create(t.adminToken, { name: 'admin-only' });
    const asResponder = (method: 'GET' | 'DELETE', url: string) =>
      t.app.inject({ method, url, headers: auth(responder) });
    expect((await asResponder('GET', '/api/v1/tokens?user=admin')).statusCode).toBe(403);
    expect((await asResponder('DELETE', `/api/v1/tokens/${admins.id}`)).statusCode).toBe(404);
    expect((await me(admins.token)).statusCode).toBe(200);
    const own = (await asResponder('GET', '/api/v1/tokens')).json().tokens as { id: string; user: string }[];
    expect(own.map((x) => x.user)).toEqual(['rahel']);
    const byAdmin = await t.app.inject({ url: '/api/v1/tokens?user=rahel', headers: auth(t.adminToken) });
    expect(byAdmin.json().tokens.map((x: { id: string }) => x.id)).toEqual(own.map((x) => x.id));
    expect((await asResponder('DELETE', `/api/v1/tokens/${own[0]?.id}`)).statusCode).toBe(200);
    expect((await me(responder)).statusCode).toBe(401);
  });

  it('expire when asked to, and refuse an expiry in the past', async () => {
    const created = await create(t.adminToken, { name: 'short', expires_in: '1h' });
    expect(created.expires_at).toBe(new Date(t.clock.now().getTime() + 3_600_000).toISOString());
    expect((await me(created.token)).statusCode).toBe(200);
    t.clock.advance(3_600_000);
    expect((await me(created.token)).statusCode).toBe(401);
    const past = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: auth(t.adminToken),
      payload: { name: 'old', expires_at: '2020-01-01T00:00:00Z' },
    });
    expect(past.statusCode).toBe(400);
    expect(past.json().error.details[0].path).toBe('expires_at');
  });

  it('record when they were last used, at most once a minute (no write per request)', async () => {
    const created = await create(t.adminToken, { name: 'usage' });
    const lastUsed = async () =>
      (
        await t.db
          .selectFrom('api_tokens')
          .select('last_used_at')
          .where('id', '=', created.id)
          .executeTakeFirstOrThrow()
      ).last_used_at;
    expect(await lastUsed()).toBeNull();
    await me(created.token);
    const first = await lastUsed();
    expect(first).toEqual(t.clock.now());
    t.clock.advance(30_000);
    await me(created.token);
    expect(await lastUsed()).toEqual(first);
    t.clock.advance(31_000);
    await me(created.token);
    expect(await lastUsed()).toEqual(t.clock.now());
  });
});

describe('the token cache', () => {
  it('a token revoked by another instance (no change this process saw) stops working within TOKEN_CACHE_MS', async () => {
    const created = await create(t.adminToken, { name: 'elsewhere' });
    // Its creation was a token change: nothing is cached until TOKEN_CACHE_MS after it.
    t.clock.advance(TOKEN_CACHE_MS);
    expect((await me(created.token)).statusCode).toBe(200);
    // Another instance revokes it: this process's cache does not hear of it.
    await t.db
      .updateTable('api_tokens')
      .set({ revoked_at: t.clock.now() })
      .where('id', '=', created.id)
      .execute();
    t.clock.advance(TOKEN_CACHE_MS - 1);
    expect((await me(created.token)).statusCode).toBe(200);
    t.clock.advance(1);
    expect((await me(created.token)).statusCode).toBe(401);
  });

  it('a token revoked through this process is not kept by a request read before the revocation committed', async () => {
    const created = await create(t.adminToken, { name: 'racing' });
    t.clock.advance(TOKEN_CACHE_MS);
    expect((await me(created.token)).statusCode).toBe(200);
    // The revocation is held after its audit row is built, before its commit: another session holds
    // the audit log in SHARE mode, which the revocation's audit insert waits for.
    const revoked = await t.db.connection().execute(async (side) => {
      await sql`begin`.execute(side);
      await sql`lock table audit_log in share mode`.execute(side);
      const revoking = t.app.inject({
        method: 'DELETE',
        url: `/api/v1/tokens/${created.id}`,
        headers: auth(t.adminToken),
      });
      let answered = false;
      void revoking.finally(() => {
        answered = true;
      });
      while (!answered) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_locks
          where relation = 'audit_log'::regclass and not granted`.execute(side);
        if (rows[0]?.n) break;
      }
      expect(answered).toBe(false);
      // A request in between reads the token as it stood: still valid.
      expect((await me(created.token)).statusCode).toBe(200);
      await sql`commit`.execute(side);
      return revoking;
    });
    expect(revoked.statusCode, revoked.body).toBeLessThan(300);
    expect((await me(created.token)).statusCode).toBe(401);
  });

  it('a user deactivated through this process loses its token on the next request', async () => {
    const token = await t.tokenFor('responder', 'leaving-soon');
    expect((await me(token)).statusCode).toBe(200);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users/leaving-soon/deactivate',
      headers: auth(t.adminToken),
    });
    expect(res.statusCode, res.body).toBeLessThan(300);
    expect((await me(token)).statusCode).toBe(401);
  });

  it('a role changed through this process applies to the next request', async () => {
    const token = await t.tokenFor('responder', 'promoted-soon');
    expect((await me(token)).json()).toMatchObject({ user: { role: 'responder' } });
    await addUser(t.ctx(), 'promoted-soon', { role: 'admin' });
    expect((await me(token)).json()).toMatchObject({ user: { role: 'admin' } });
  });
});

describe('tocsin token list|create|revoke', () => {
  // Three runs of the real binary: generous on a busy machine.
  it('creates, lists and revokes through the API', async () => {
    const tocsin = await cliAgainst(t);
    const created = await tocsin('token', 'create', '--name', 'from-cli', '--expires-in', '30d', '--json');
    expect(created.code, created.stderr).toBe(0);
    const token = JSON.parse(created.stdout) as { id: string; token: string; expires_at: string };
    expect(token.expires_at).not.toBeNull();
    const listed = await tocsin('token', 'list');
    expect(listed.stdout).toMatch(new RegExp(`^${token.id}\\s+from-cli\\s+\\S+\\s+active`, 'm'));
    expect(listed.stdout).not.toContain(token.token);
    const revoked = await tocsin('token', 'revoke', token.id);
    expect(revoked.stdout).toBe(`revoked token ${token.id} (from-cli) of admin\n`);
    const after = await t.app.inject({ url: '/api/v1/tokens', headers: auth(t.adminToken) });
    expect(after.json().tokens.find((x: { id: string }) => x.id === token.id)?.state).toBe('revoked');
  });
});

// Last: it revokes the test app's own admin token.
describe('TOCSIN_ADMIN_TOKEN', () => {
  it('when changed, TOCSIN_ADMIN_TOKEN revokes the previous one', async () => {
    const first = 'tcs_env_admin_token_first_0001';
    const second = 'tcs_env_admin_token_second_002';
    await bootstrapAdmin(t.db, t.clock, first);
    expect(await authenticate(t.db, t.clock, first)).toMatchObject({ name: 'admin' });
    await bootstrapAdmin(t.db, t.clock, second);
    expect(await authenticate(t.db, t.clock, first)).toBeNull();
    expect(await authenticate(t.db, t.clock, second)).toMatchObject({ name: 'admin' });
    // Starting again with the same value changes nothing.
    await bootstrapAdmin(t.db, t.clock, second);
    expect(await authenticate(t.db, t.clock, second)).toMatchObject({ name: 'admin' });
  });
});
