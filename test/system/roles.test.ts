import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ServerHandle, startServer } from '../../scripts/lib/tocsin-process.ts';
import {
  applyPlan,
  call,
  refusesConnections,
  type SystemDb,
  systemDatabase,
  systemToken,
  until,
} from './support.ts';

// `--role api` serves HTTP and leaves the engine to others; `--role engine` serves nothing yet acts.
const INTERVAL_MS = 50;
const token = systemToken();
let db: SystemDb;
let api: ServerHandle;
let engine: ServerHandle | undefined;
let incidentId: string;

beforeAll(async () => {
  db = await systemDatabase(inject('pgAdminUrl'), 'roles');
  const env = {
    DATABASE_URL: db.url,
    TOCSIN_ADMIN_TOKEN: token,
    TOCSIN_ENGINE_INTERVAL_MS: String(INTERVAL_MS),
  };
  api = await startServer(env, ['--role', 'api']);
  await applyPlan(api, token);
});

afterAll(async () => {
  await engine?.stop();
  await api?.stop();
  await db?.close();
});

describe('process roles', () => {
  it('--role api serves HTTP but runs no engine', async () => {
    const declared = await call(api, token, 'POST', '/api/v1/incidents', {
      title: 'Checkout down',
      severity: 'SEV1',
    });
    expect(declared.status).toBe(201);
    incidentId = String((declared.json.incident as { id: string }).id);
    // An engine would tick every 50 ms: watch 20 intervals and see nothing written by one.
    const watchUntil = Date.now() + 20 * INTERVAL_MS;
    while (Date.now() < watchUntil) {
      expect(await db.rows('select module from engine_modules')).toEqual([]);
      await new Promise((r) => setTimeout(r, INTERVAL_MS));
    }
    const events = await db.rows<{ processed_at: Date | null }>(
      'select processed_at from incident_events where incident_id = $1',
      [incidentId],
    );
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.processed_at === null)).toBe(true);
    expect(
      (await call(api, token, 'GET', `/api/v1/incidents/${incidentId}/workflow-runs`)).json.runs,
    ).toEqual([]);
  });

  it('--role engine serves no HTTP yet runs the workflows of incidents declared elsewhere', async () => {
    engine = await startServer(
      { DATABASE_URL: db.url, TOCSIN_ADMIN_TOKEN: token, TOCSIN_ENGINE_INTERVAL_MS: String(INTERVAL_MS) },
      ['--role', 'engine'],
    );
    expect(await refusesConnections(`${engine.url}/health`)).toBe(true);
    const detail = await until('the engine-only process to run the declaration workflow', async () => {
      const { json } = await call(api, token, 'GET', `/api/v1/incidents/${incidentId}`);
      const responders = json.responders as { responder: string }[];
      return responders.some((r) => r.responder === 'sre-on-call') ? json : undefined;
    });
    const timeline = detail.timeline as { kind: string; data: { text?: string } }[];
    expect(timeline.filter((e) => e.kind === 'note' && e.data.text === 'declared workflow ran')).toHaveLength(
      1,
    );
    const modules = await db.rows<{ module: string }>('select module from engine_modules order by module');
    expect(modules.map((m) => m.module)).toEqual(
      expect.arrayContaining(['workflow-events', 'workflow-timers']),
    );
    // Still no HTTP, and still running.
    expect(await refusesConnections(`${engine.url}/health`)).toBe(true);
    expect(engine.exited()).toBe(false);
  });
});
