import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ServerHandle, startServer } from '../../scripts/lib/tocsin-process.ts';
import { applyPlan, call, type SystemDb, systemDatabase, systemToken, until } from './support.ts';

// Two full instances (HTTP + engine) on one PostgreSQL: every workflow of every incident fires once,
// whichever instance took the declaration and however the two engines' ticks interleave.
const INCIDENTS = 20;
const token = systemToken();
let db: SystemDb;
let servers: ServerHandle[] = [];

beforeAll(async () => {
  db = await systemDatabase(inject('pgAdminUrl'), 'double');
  const env = { DATABASE_URL: db.url, TOCSIN_ADMIN_TOKEN: token, TOCSIN_ENGINE_INTERVAL_MS: '50' };
  servers = await Promise.all([startServer(env), startServer(env)]);
  await applyPlan(servers[0] as ServerHandle, token);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await db?.close();
});

async function engineTicks(): Promise<number> {
  const rows = await db.rows<{ n: string }>(`select coalesce(min(ticks), 0) as n from engine_modules
     where module in ('workflow-events', 'workflow-timers')`);
  return Number(rows[0]?.n ?? 0);
}

describe('two engines on one store', () => {
  it('fire each workflow exactly once per incident and queue each message once', async () => {
    const ids = await Promise.all(
      Array.from({ length: INCIDENTS }, async (_, i) => {
        const server = servers[i % servers.length] as ServerHandle;
        const res = await call(server, token, 'POST', '/api/v1/incidents', {
          title: `Outage ${i}`,
          severity: 'SEV1',
        });
        expect(res.status).toBe(201);
        return String((res.json.incident as { id: string }).id);
      }),
    );
    // Both the declaration workflow and the 2 s timer have fired for every incident.
    await until('both workflows to fire for every incident', async () => {
      const rows = await db.rows<{ n: string }>(
        `select count(*) as n from workflow_runs where workflow in ('on declare', 'after two seconds')`,
      );
      return Number(rows[0]?.n) >= INCIDENTS * 2;
    });
    // Let both engines tick a few more times: a late duplicate would show up now.
    const ticks = await engineTicks();
    await until('three more engine ticks', async () => (await engineTicks()) >= ticks + 3);

    for (const id of ids) {
      const { status, json } = await call(
        servers[1] as ServerHandle,
        token,
        'GET',
        `/api/v1/incidents/${id}/workflow-runs`,
      );
      expect(status).toBe(200);
      const runs = (json.runs as { workflow: string; source: string }[]).filter(
        (r) => r.source === 'workflow',
      );
      expect(runs.map((r) => r.workflow).sort()).toEqual(['after two seconds', 'on declare']);
    }
    // The actions happened once: one responder, one note of each kind, one message per firing.
    const responders = await db.rows<{ incident_id: string; n: string }>(
      'select incident_id, count(*) as n from incident_responders group by incident_id',
    );
    expect(responders).toHaveLength(INCIDENTS);
    expect(responders.every((r) => Number(r.n) === 1)).toBe(true);
    const notes = await db.rows<{ n: string }>(
      `select count(*) as n from incident_events where kind = 'note' group by incident_id, data->>'text'`,
    );
    expect(notes).toHaveLength(INCIDENTS * 2);
    expect(notes.every((r) => Number(r.n) === 1)).toBe(true);
    // Every rule fired once per incident: the plan's own compiled rules (the service-policy page) too.
    const fired = await db.rows<{ n: string; source: string }>(
      `select count(*) as n, data->>'source' as source from incident_events where kind = 'workflow.fired'
       group by incident_id, data->>'workflow', data->>'source'`,
    );
    expect(fired.filter((r) => r.source === 'workflow')).toHaveLength(INCIDENTS * 2);
    expect(fired.every((r) => Number(r.n) === 1)).toBe(true);
    const outbox = await db.rows<{ incident_id: string; destination: string; text: string; n: string }>(
      `select incident_id, destination, payload->>'text' as text, count(*) as n
       from outbox group by incident_id, destination, payload->>'text'`,
    );
    expect(outbox).toHaveLength(INCIDENTS * 2);
    expect(outbox.filter((r) => Number(r.n) !== 1)).toEqual([]);
    // Every event was consumed by exactly one pass (none left behind).
    const pending = await db.rows('select id from incident_events where processed_at is null and kind = $1', [
      'incident.declared',
    ]);
    expect(pending).toEqual([]);
  });
});
