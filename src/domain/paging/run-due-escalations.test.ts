import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { acknowledgeIncident } from '../incidents/acknowledge-incident.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { lockIncident } from '../incidents/queries.ts';
import { PlanCache } from '../workflows/plan-cache.ts';
import { applyPlan } from '../workflows/testing.ts';
import { runDueEscalations } from './run-due-escalations.ts';

// A due step and a change to its incident at the same moment (an acknowledgement locks the incident,
// then ends its escalations; the engine holds the due escalation and its step needs the incident):
// the step waits for the next tick instead of deadlocking with the change.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: due }
severities: [{ id: SEV1, title: Outage, page: { policy: chain } }]
groups:
  - { id: first, title: First, users: [ana] }
  - { id: second, title: Second, users: [ben] }
escalationPolicies:
  - id: chain
    steps:
      - { notify: [first], escalateAfter: 1m }
      - { notify: [second] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-01T10:00:00Z');
const ctx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
const plans = new PlanCache();

beforeAll(async () => {
  t = await freshDb();
  await applyPlan(t.db, clock, PLAN);
  for (const handle of ['ana', 'ben']) {
    await addUser(ctx(), handle, { email: `${handle}@example.com` });
  }
});

afterAll(async () => {
  await t.close();
});

const runDue = (setting?: string) =>
  t.db.transaction().execute(async (tx) => {
    if (setting) await sql.raw(setting).execute(tx);
    return runDueEscalations({ tx, now: clock.now(), plans, publicUrl: 'http://tocsin.test' });
  });

describe('due escalation steps', () => {
  it('leave an incident being changed to the next tick, without waiting on it', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'due', severity: 'SEV1', title: 'Checkout down' },
    });
    // The engine starts paging (the declaration's workflow) and pages step 1; step 2 is due in 1m.
    await new Engine(
      { db: t.db, clock, log: pino({ level: 'silent' }) },
      engineModules({ deliver: false }),
    ).runUntilIdle();
    const [esc] = await t.db
      .selectFrom('escalations')
      .selectAll()
      .where('incident_id', '=', incident.id)
      .execute();
    expect(esc).toMatchObject({ status: 'active', step: 1 });
    clock.advance(60_000);
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let locked = () => {};
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    // A change to the incident in progress: its transaction holds the incident's row lock.
    const change = t.db.transaction().execute(async (tx) => {
      await lockIncident(tx, incident.id);
      locked();
      await held;
    });
    await isLocked;
    // A step that waited for the incident's lock would fail here with PostgreSQL's lock timeout (and
    // hang without it): only a lock wait can trip it, never a slow machine.
    expect(await runDue("set local lock_timeout = '2s'")).toBe(0);
    release();
    await change;
    // Once the change committed, the step runs: ben (step 2) is paged.
    expect(await runDue()).toBe(1);
    const pagedBen = await t.db
      .selectFrom('outbox')
      .innerJoin('users', 'users.id', 'outbox.user_id')
      .select('outbox.id')
      .where('outbox.incident_id', '=', incident.id)
      .where('users.handle', '=', 'ben')
      .execute();
    expect(pagedBen).toHaveLength(1);
  });

  it('end a paging escalation of an acknowledged incident instead of paging its next step', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'due', severity: 'SEV1', title: 'Search down' },
    });
    // Acknowledged before the engine's next tick: the declaration's paging starts after it (step 1 at
    // once), so the acknowledgement had no escalation to end.
    await acknowledgeIncident({ ctx: ctx(), input: { incidentId: incident.id } });
    const engine = new Engine(
      { db: t.db, clock, log: pino({ level: 'silent' }) },
      engineModules({ deliver: false }),
    );
    await engine.runUntilIdle();
    const escalations = () =>
      t.db
        .selectFrom('escalations')
        .select(['source', 'status', 'step'])
        .where('incident_id', '=', incident.id)
        .orderBy('id')
        .execute();
    expect(await escalations()).toEqual([expect.objectContaining({ status: 'active', step: 1 })]);
    const pagedBen = () =>
      t.db
        .selectFrom('outbox')
        .innerJoin('users', 'users.id', 'outbox.user_id')
        .select('outbox.id')
        .where('outbox.incident_id', '=', incident.id)
        .where('users.handle', '=', 'ben')
        .execute();
    // Step 2 falls due a minute later: the engine sees the acknowledgement and ends it, paging nobody.
    clock.advance(60_000);
    await engine.runUntilIdle();
    expect((await escalations()).map((e) => e.status)).toEqual(['acknowledged']);
    expect(await pagedBen()).toEqual([]);
  });
});
