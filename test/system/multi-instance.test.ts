import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ServerHandle, startServer } from '../../scripts/lib/tocsin-process.ts';
import { ensureDatabase, withDatabase } from '../../src/db/connect.ts';

// Several Tocsin processes on one external PostgreSQL 15 (Debian's): they start together, share
// the store, and losing one loses nothing.
const token = `tcs_system_${randomBytes(12).toString('hex')}`;
let servers: ServerHandle[] = [];
let databaseUrl: string;

async function api(server: ServerHandle, method: string, path: string, body?: unknown) {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : null,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  const name = `multi_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(inject('pgAdminUrl'), name);
  databaseUrl = withDatabase(inject('pgAdminUrl'), name);
  const env = { DATABASE_URL: databaseUrl, TOCSIN_ADMIN_TOKEN: token, TOCSIN_ENGINE_INTERVAL_MS: '200' };
  // Started at the same moment: migrations and the first admin must still happen exactly once.
  servers = await Promise.all([startServer(env), startServer(env), startServer(env, ['--role', 'api'])]);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe('several instances on one PostgreSQL 15', () => {
  it('migrate once and create one admin', async () => {
    for (const s of servers) {
      const { status, json } = await api(s, 'GET', '/api/v1/users');
      expect(status).toBe(200);
      expect((json.users as { handle: string }[]).filter((u) => u.handle === 'admin')).toHaveLength(1);
    }
  });

  it('see each other’s writes', async () => {
    const created = await api(servers[0] as ServerHandle, 'POST', '/api/v1/users', {
      handle: 'abebe',
      name: 'Abebe',
    });
    expect(created.status).toBe(201);
    const seen = await api(servers[2] as ServerHandle, 'GET', '/api/v1/users');
    expect((seen.json.users as { handle: string }[]).map((u) => u.handle)).toContain('abebe');
  });

  it('report engine modules in /health/detailed', async () => {
    const { json } = await api(servers[1] as ServerHandle, 'GET', '/health/detailed');
    expect(json.database).toMatchObject({ status: 'ok' });
  });
});
