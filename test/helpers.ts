import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import pino, { type Logger } from 'pino';
import { inject } from 'vitest';
import { VirtualClock } from '../src/db/clock.ts';
import { connect, withDatabase } from '../src/db/connect.ts';
import type { Db } from '../src/db/schema.ts';
import { type Actor, type Ctx, makeCtx, type Role, SYSTEM_ACTOR } from '../src/domain/context.ts';
import { bootstrapAdmin } from '../src/domain/users/bootstrap-admin.ts';
import { createToken } from '../src/domain/users/create-token.ts';
import { saveUser } from '../src/domain/users/save-user.ts';
import type { App } from '../src/http/server.ts';

/** Store timeouts for tests: long enough for a loaded machine, short of the 120 s hang guard. */
const TEST_TIMEOUTS = { connectMs: 60_000, statementMs: 90_000 };

export interface TestDb {
  db: Db;
  url: string;
  name: string;
  close(): Promise<void>;
}

/** A fresh, migrated database (cloned from the run's template) for one test file or test. */
export async function freshDb(): Promise<TestDb> {
  const admin = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database ${name} template tocsin_template`);
  } finally {
    await client.end();
  }
  const url = withDatabase(admin, name);
  // Production gives up on a connection after 5 s; a busy 2-core CI machine can take longer to fork a
  // backend, so tests wait as long as their hang guard instead of failing on load.
  const { db } = connect(url, 5, TEST_TIMEOUTS);
  return {
    db,
    url,
    name,
    async close() {
      await db.destroy();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`).catch(() => {});
      await c.end();
    },
  };
}

export const ADMIN_TOKEN = 'tcs_test_admin_token_0123456789';

export interface TestApp {
  app: App;
  db: Db;
  clock: VirtualClock;
  adminToken: string;
  ctx(actor?: Actor): Ctx;
  /** Creates a user with the role and returns a bearer token for it. */
  tokenFor(role: Role, handle?: string): Promise<string>;
  close(): Promise<void>;
}

/** The real HTTP server on a fresh database with a virtual clock; call app.inject(). */
export async function testApp(o: { log?: Logger } = {}): Promise<TestApp> {
  // Loaded here, not at the top: the HTTP app is ~400 modules, and a file that needs only a database
  // (freshDb) would otherwise pay for importing all of it.
  const [{ buildServer }, { createMetrics }] = await Promise.all([
    import('../src/http/server.ts'),
    import('../src/http/metrics.ts'),
  ]);
  const t = await freshDb();
  const clock = new VirtualClock('2026-03-02T10:00:00Z');
  await bootstrapAdmin(t.db, clock, ADMIN_TOKEN);
  const log = o.log ?? pino({ level: 'silent' });
  const app = await buildServer({
    db: t.db,
    clock,
    log,
    metrics: createMetrics(),
    publicUrl: 'http://tocsin.test',
    bodyLimit: 262_144,
    version: 'test',
  });
  const ctx = (actor: Actor = SYSTEM_ACTOR) => makeCtx({ db: t.db, clock }, actor);
  return {
    app,
    db: t.db,
    clock,
    adminToken: ADMIN_TOKEN,
    ctx,
    async tokenFor(role, handle = `${role}-${randomBytes(3).toString('hex')}`) {
      await addUser(ctx(), handle, { role });
      const created = await createToken({ ctx: ctx(), input: { name: 'test', user: handle } });
      return created.token;
    },
    async close() {
      await app.close();
      await t.close();
    },
  };
}

/**
 * A logger that keeps its warnings and errors, for testApp({ log }): `problems()` is what was logged
 * since the last `clear()`, e.g. Fastify's "Reply was already sent" and ERR_HTTP_HEADERS_SENT.
 */
export function capturedLog(): { log: Logger; problems(): string[]; clear(): void } {
  let lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return {
    log: pino({ level: 'warn' }, sink),
    problems: () => [...lines],
    clear: () => {
      lines = [];
    },
  };
}

/**
 * Lets everything a request queued after its answer run (Fastify's reply pipeline is promises and
 * ticks, no timers): a handler that answered twice has logged its second answer once this resolves.
 */
export const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A user (upserted) with the defaults tests want: a responder in UTC, named like the handle; its id. */
export async function addUser(
  ctx: Ctx,
  handle: string,
  o: { role?: Role; email?: string | null } = {},
): Promise<string> {
  const { item } = await saveUser({
    ctx,
    input: {
      user: {
        handle,
        name: handle,
        email: o.email ?? null,
        role: o.role ?? 'responder',
        leadership: false,
        time_zone: 'UTC',
      },
      mode: 'upsert',
    },
  });
  return item.id;
}

export function auth(token: string) {
  return { authorization: `Bearer ${token}` };
}
