import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestApp, type TestDb, testApp } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { verifyPassword } from '../domain/auth/passwords.ts';
import { makeCtx, SYSTEM_ACTOR } from '../domain/context.ts';

// `tocsin user set-password` as an admin runs it: the real binary, the password on stdin, against a
// server (API) and against the store directly (no server: the way back in for a locked-out admin).

const root = join(import.meta.dirname, '..', '..');
let t: TestApp;
let local: TestDb;
let url = '';

beforeAll(async () => {
  [t, local] = await Promise.all([testApp(), freshDb()]);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  await addUser(t.ctx(), 'abebe', { role: 'responder' });
  await addUser(
    makeCtx({ db: local.db, clock: new VirtualClock('2026-03-02T10:00:00Z') }, SYSTEM_ACTOR),
    'admin2',
    {
      role: 'admin',
    },
  );
});
afterAll(async () => {
  await t.close();
  await local.close();
});

function tocsin(args: string[], stdin: string, env: Record<string, string>) {
  const clean = { ...process.env };
  for (const k of ['TOCSIN_URL', 'TOCSIN_TOKEN', 'DATABASE_URL']) delete clean[k];
  const child = spawn(process.execPath, [join(root, 'bin/tocsin.js'), ...args], {
    env: { ...clean, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(stdin);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}

async function signIn(login: string, password: string) {
  return (await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login, password } }))
    .statusCode;
}

describe('tocsin user set-password', () => {
  it('sets a password through the API, read from stdin', async () => {
    const res = await tocsin(['user', 'set-password', 'abebe', '--url', url], 'a long password\n', {
      TOCSIN_TOKEN: t.adminToken,
    });
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe('password set for abebe\n');
    expect(res.code).toBe(0);
    expect(await signIn('abebe', 'a long password')).toBe(200);
  });

  it('refuses a short password with the reason (exit 1)', async () => {
    const short = await tocsin(['user', 'set-password', 'abebe', '--url', url], 'short', {
      TOCSIN_TOKEN: t.adminToken,
    });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 10 characters');
    expect(await signIn('abebe', 'a long password')).toBe(200);
  });

  it('PUT /api/v1/users/:id/password refuses unknown users and callers who are not admins', async () => {
    const put = (user: string, token: string, password: string | null) =>
      t.app.inject({
        method: 'PUT',
        url: `/api/v1/users/${user}/password`,
        headers: { authorization: `Bearer ${token}` },
        payload: { password },
      });
    expect((await put('ghost', t.adminToken, 'a long password')).statusCode).toBe(404);
    const denied = await put('abebe', await t.tokenFor('responder'), 'another long one');
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toContain('user:write needs role admin');
    const bad = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/users/abebe/password',
      headers: { authorization: `Bearer ${t.adminToken}` },
      payload: { pass: 'x' },
    });
    expect(bad.statusCode).toBe(400);
    // Removing the password ends password sign-in for the user.
    expect((await put('abebe', t.adminToken, null)).statusCode).toBe(204);
    expect(await signIn('abebe', 'a long password')).toBe(401);
  });

  it('sets a password on the local store without a server', async () => {
    const res = await tocsin(['user', 'set-password', 'admin2', '--json'], 'recovered password', {
      DATABASE_URL: local.url,
    });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ user: 'admin2', password: 'set' });
    const row = await local.db
      .selectFrom('users')
      .select('password_hash')
      .where('handle', '=', 'admin2')
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(row.password_hash, 'recovered password')).toBe(true);
  });
});
