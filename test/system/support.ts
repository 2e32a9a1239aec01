import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { ServerHandle } from '../../scripts/lib/tocsin-process.ts';
import { ensureDatabase, withDatabase } from '../../src/db/connect.ts';

// Shared by the system tests: an HTTP client for a Tocsin process, polling with a deadline (never a
// fixed sleep), and a database of their own on a PostgreSQL server.

export const PLAN_YAML = readFileSync(join(import.meta.dirname, 'fixtures', 'system-plan.yaml'), 'utf8');

export function systemToken(): string {
  return `tcs_system_${randomBytes(12).toString('hex')}`;
}

export interface Answer {
  status: number;
  json: Record<string, unknown>;
}

/** One request to a Tocsin process; a JSON body unless `yaml` is given. */
export async function call(
  server: Pick<ServerHandle, 'url'>,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  yaml?: string,
): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (yaml !== undefined) headers['content-type'] = 'application/yaml';
  else if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(server.url + path, {
    method,
    headers,
    body: yaml ?? (body === undefined ? null : JSON.stringify(body)),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { text };
  }
  return { status: res.status, json };
}

/**
 * Polls `probe` every `intervalMs` until it returns a value other than undefined/false. The default
 * bound is generous (real processes on a busy 2-core machine): it guards against a hang, it does not
 * measure anything, and it stays under the test timeout (120 s) so the failure names what it awaited.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 90_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface SystemDb {
  url: string;
  pool: pg.Pool;
  /** One query's rows. */
  rows<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/** An empty database of its own on the server (Tocsin migrates it on start). */
export async function systemDatabase(adminUrl: string, prefix: string): Promise<SystemDb> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(adminUrl, name);
  const url = withDatabase(adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  pool.on('error', () => {});
  return {
    url,
    pool,
    async rows<R>(text: string, values: unknown[] = []) {
      return (await pool.query(text, values)).rows as R[];
    },
    async close() {
      await pool.end().catch(() => {});
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`).catch(() => {});
      await client.end();
    },
  };
}

/** Whether something accepts TCP connections on the port (fetch fails with ECONNREFUSED when not). */
export async function refusesConnections(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(30_000) });
    return false;
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
  }
}

/** Applies the system tests' plan through the API (PUT /api/v1/plans/system, YAML body). */
export async function applyPlan(server: Pick<ServerHandle, 'url'>, token: string): Promise<void> {
  const res = await call(server, token, 'PUT', '/api/v1/plans/system', undefined, PLAN_YAML);
  if (res.status !== 201 && res.status !== 200) {
    throw new Error(`applying the plan answered ${res.status}: ${JSON.stringify(res.json)}`);
  }
}
