import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ServerHandle, startServer } from '../../scripts/lib/tocsin-process.ts';
import { applyPlan, call, type SystemDb, systemDatabase, systemToken, until } from './support.ts';

// Instance B (engine only) is SIGKILLed in the middle of a burst sent to instance A (HTTP + engine):
// every answered write is in the store, and A's engine carries on with B's share of the work.
const WORKERS = 8;
const INCIDENTS_PER_WORKER = 12;
const NOTES_PER_INCIDENT = 2;
const token = systemToken();
let db: SystemDb;
let a: ServerHandle;
let b: ServerHandle;

beforeAll(async () => {
  db = await systemDatabase(inject('pgAdminUrl'), 'kill');
  const env = { DATABASE_URL: db.url, TOCSIN_ADMIN_TOKEN: token, TOCSIN_ENGINE_INTERVAL_MS: '50' };
  a = await startServer(env);
  b = await startServer(env, ['--role', 'engine']);
  await applyPlan(a, token);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await db?.close();
});

interface Accepted {
  incidents: string[];
  notes: string[];
  failures: string[];
}

/** Declares incidents and adds notes through A, remembering every write it answered with 2xx. */
async function burst(accepted: Accepted, onProgress: (done: number) => void): Promise<void> {
  let done = 0;
  const worker = async (w: number) => {
    for (let i = 0; i < INCIDENTS_PER_WORKER; i++) {
      const declared = await call(a, token, 'POST', '/api/v1/incidents', {
        title: `Burst ${w}-${i}`,
        severity: 'SEV1',
      });
      if (declared.status !== 201) {
        accepted.failures.push(`declare ${declared.status} ${JSON.stringify(declared.json)}`);
        continue;
      }
      const id = String((declared.json.incident as { id: string }).id);
      accepted.incidents.push(id);
      for (let n = 0; n < NOTES_PER_INCIDENT; n++) {
        const note = await call(a, token, 'POST', `/api/v1/incidents/${id}/notes`, { text: `note ${n}` });
        if (note.status === 201) accepted.notes.push(String((note.json.event as { id: string }).id));
        else accepted.failures.push(`note ${note.status} ${JSON.stringify(note.json)}`);
      }
      onProgress(++done);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
}

async function lastTick(): Promise<number> {
  const rows = await db.rows<{ at: Date | null }>('select max(last_tick_at) as at from engine_modules');
  return rows[0]?.at?.getTime() ?? 0;
}

describe('killing an instance', () => {
  it('loses nothing that was answered, and the survivor keeps the engine going', async () => {
    // Both engines are ticking before the burst starts.
    await until('the engine to tick', async () => (await lastTick()) > 0);
    const accepted: Accepted = { incidents: [], notes: [], failures: [] };
    const total = WORKERS * INCIDENTS_PER_WORKER;
    let killed: Promise<void> | undefined;
    await burst(accepted, (done) => {
      if (!killed && done >= total / 3) killed = b.stop('SIGKILL');
    });
    await killed;
    expect(b.exited()).toBe(true);
    expect(accepted.failures).toEqual([]);
    expect(accepted.incidents).toHaveLength(total);

    const incidents = await db.rows<{ id: string }>('select id from incidents where id = any($1)', [
      accepted.incidents,
    ]);
    expect(incidents).toHaveLength(accepted.incidents.length);
    const notes = await db.rows<{ id: string }>(`select id from incident_events where id = any($1)`, [
      accepted.notes,
    ]);
    expect(notes).toHaveLength(total * NOTES_PER_INCIDENT);

    // The survivor's engine goes on ticking and runs every declaration workflow, each exactly once.
    const afterKill = await lastTick();
    await until('the survivor’s engine to tick', async () => (await lastTick()) > afterKill);
    await until('the declaration workflow to run for every incident', async () => {
      const rows = await db.rows<{ n: string }>(
        `select count(*) as n from workflow_runs where workflow = 'on declare'`,
      );
      return Number(rows[0]?.n) === total;
    });
    const twice = await db.rows(
      `select incident_id, destination, payload->>'text' as text from outbox
       group by incident_id, destination, payload->>'text' having count(*) > 1`,
    );
    expect(twice).toEqual([]);
    const responders = await db.rows<{ n: string }>('select count(*) as n from incident_responders');
    expect(Number(responders[0]?.n)).toBe(total);
  });
});
