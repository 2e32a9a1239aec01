import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExternalPostgres, startPostgres15 } from '../../scripts/lib/pg15.ts';
import { type ServerHandle, startServer } from '../../scripts/lib/tocsin-process.ts';
import { type Answer, applyPlan, call, systemToken, until } from './support.ts';

// PostgreSQL goes away under a running, busy Tocsin (a cluster of this test's own, not the shared
// one): writes answer 503 with the error shape (never 500, never a crash), liveness stays up, and
// once PostgreSQL is back the same process serves writes again.
const WORKERS = 16;
const token = systemToken();
// The scrape token: /health/detailed answers with it even while the store (API tokens) is down.
const METRICS_TOKEN = 'tcs_system_metrics_token_0001';
const bearer = { authorization: `Bearer ${METRICS_TOKEN}` };
let pg: ExternalPostgres;
let server: ServerHandle;

beforeAll(async () => {
  pg = await startPostgres15();
  server = await startServer({
    DATABASE_URL: pg.url,
    TOCSIN_ADMIN_TOKEN: token,
    TOCSIN_METRICS_TOKEN: METRICS_TOKEN,
    TOCSIN_ENGINE_INTERVAL_MS: '50',
    // Every request and engine tick logs its store error meanwhile; a crash still shows on stderr.
    TOCSIN_LOG_LEVEL: 'fatal',
  });
  await applyPlan(server, token);
});

afterAll(async () => {
  await server?.stop();
  pg?.stop();
});

const UNAVAILABLE = { error: { code: 'unavailable', message: expect.any(String), details: [] } };

interface Load {
  answers: (Answer & { what: string })[];
  created: string[];
  stop(): Promise<void>;
}

/**
 * Keeps WORKERS requests in flight (users created, incidents declared with notes), so transactions
 * are open when PostgreSQL goes away.
 */
function startLoad(): Load {
  let running = true;
  let n = 0;
  const load: Load = { answers: [], created: [], stop: async () => {} };
  // A request the process never answered (it died) is recorded as status 0.
  const send = async (what: string, method: string, path: string, body: unknown): Promise<Answer> => {
    const answer = await call(server, token, method, path, body).catch((e: Error) => ({
      status: 0,
      json: { error: String(e.cause ?? e) },
    }));
    load.answers.push({ ...answer, what });
    return answer;
  };
  const worker = async (w: number) => {
    while (running && !server.exited()) {
      const handle = `load-${w}-${n++}`;
      const user = await send('create user', 'POST', '/api/v1/users', { handle, name: handle });
      if (user.status === 201) load.created.push(handle);
      const declared = await send('declare', 'POST', '/api/v1/incidents', {
        title: handle,
        severity: 'SEV1',
      });
      if (declared.status === 201) {
        const id = (declared.json.incident as { id: string }).id;
        await send('note', 'POST', `/api/v1/incidents/${id}/notes`, { text: 'n' });
      }
    }
  };
  const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
  load.stop = async () => {
    running = false;
    await Promise.all(workers);
  };
  return load;
}

describe('the store becomes unavailable', () => {
  it('answers 503 while PostgreSQL is down and recovers without a restart', async () => {
    const load = startLoad();
    await until('some writes to succeed', async () => load.created.length >= 20);
    await pg.shutdown();
    await until(
      'writes to answer 503',
      async () => server.exited() || load.answers.filter((a) => a.status === 503).length >= 50,
    );
    await load.stop();
    expect(server.exited()).toBe(false);
    // Every answer is a success or a 503 with the error shape: nothing became a 500.
    const unexpected = load.answers.filter((a) => a.status !== 201 && a.status !== 503);
    expect(unexpected).toEqual([]);
    for (const a of load.answers.filter((x) => x.status === 503)) expect(a.json).toEqual(UNAVAILABLE);

    const whileDown = [
      await call(server, token, 'POST', '/api/v1/users', { handle: 'during', name: 'During' }),
      await call(server, token, 'POST', '/api/v1/incidents', { title: 'Down', severity: 'SEV1' }),
      await call(server, token, 'GET', '/api/v1/users'),
    ];
    for (const res of whileDown) {
      expect(res.status).toBe(503);
      expect(res.json).toEqual(UNAVAILABLE);
    }
    // /health reflects the store (bare), /health/detailed says which part is down.
    const live = await fetch(`${server.url}/health`);
    expect(live.status).toBe(503);
    expect(live.headers.get('retry-after')).not.toBeNull();
    const detailed = await fetch(`${server.url}/health/detailed`, { headers: bearer });
    expect(detailed.status).toBe(503);
    expect(await detailed.json()).toMatchObject({ status: 'degraded', database: { status: 'unavailable' } });
    expect(server.exited()).toBe(false);

    await pg.start();
    await until('writes to succeed again', async () => {
      const res = await call(server, token, 'POST', '/api/v1/users', { handle: 'after', name: 'After' });
      return res.status === 201;
    });
    const { json } = await call(server, token, 'GET', '/api/v1/users');
    const handles = (json.users as { handle: string }[]).map((u) => u.handle);
    // Accepted means durable: every user answered 201 is there; the one refused with 503 is not.
    expect(handles).toEqual(expect.arrayContaining(['admin', 'after', ...load.created]));
    expect(handles).not.toContain('during');
    await until(
      '/health/detailed to be ok again',
      async () => (await fetch(`${server.url}/health/detailed`, { headers: bearer })).ok,
    );
    expect(server.exited()).toBe(false);
  });
});
