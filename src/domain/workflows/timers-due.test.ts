import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { loadSnapshots } from './engine-env.ts';
import { fireWorkflowTimers, TIMER_BATCH } from './fire-workflow-timers.ts';
import { PlanCache } from './plan-cache.ts';
import { processWorkflowEvents } from './process-workflow-events.ts';
import { applyPlan, changeSeverity, declareIncident, runsOf } from './testing.ts';

// The workflow-timers pass reads the incidents whose timers are due (incident_timers), not a
// snapshot of every open incident; and a snapshot of any number of incidents binds one array
// parameter per set, not one parameter per incident (PostgreSQL refuses more than 65,535).

const MINUTE = 60_000;
const PLAN = `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: timers-due }
severities:
  - { id: SEV1, title: Critical, targets: { acknowledge: 5m }, page: { servicePolicy: false } }
  - { id: SEV2, title: Major, targets: { acknowledge: 30m }, page: { servicePolicy: false } }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
const plans = new PlanCache();
const at = (minutes: number) => new Date(clock.now().getTime() + minutes * MINUTE);
const timersPass = (now: Date) => t.db.transaction().execute((tx) => fireWorkflowTimers({ tx, now, plans }));
const eventsPass = (now: Date) =>
  t.db.transaction().execute((tx) => processWorkflowEvents({ tx, now, plans }));
const timersAt = async (id: string) =>
  (await t.db.selectFrom('incident_timers').select('due_at').where('incident_id', '=', id).executeTakeFirst())
    ?.due_at;

/** Copies incident `id` `n` times in one statement, their timers due at `due` (SQL). */
async function copies(id: string, n: number, due: string): Promise<void> {
  await sql`
    with copied as (
      insert into incidents (title, slug, plan_name, plan_version, severity, state, correlation_id,
                             channel_name, declared_at, state_entered_at, created_by, updated_at)
      select title || ' ' || g, slug || '-' || g, plan_name, plan_version, severity, state,
             correlation_id || '-' || g, channel_name, declared_at, state_entered_at, created_by, updated_at
        from incidents, generate_series(1, ${n}::int) g where id = ${id}
      returning id
    )
    insert into incident_timers (incident_id, due_at) select id, ${sql.raw(due)} from copied`.execute(t.db);
}

beforeAll(async () => {
  t = await freshDb();
  await applyPlan(t.db, clock, PLAN);
});
afterAll(() => t?.close());

describe('workflow timers', { timeout: 180_000 }, () => {
  it('load snapshots of more incidents than a statement has parameters (one array each)', async () => {
    const id = await declareIncident(t.db, { plan: 'timers-due', severity: 'SEV2', at: clock.now() });
    const row = await t.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    // 70,001 incidents (ids that need not exist: the statements are what is tested).
    const rows = [row, ...Array.from({ length: 70_000 }, (_, i) => ({ ...row, id: String(10_000_000 + i) }))];
    // Before: "bind message has 4466 parameter formats but 0 parameters" (70,002 mod 65,536).
    const snapshots = await loadSnapshots(t.db, rows, plans);
    expect(snapshots.size).toBe(70_001);
    expect(snapshots.get(id)?.severity).toBe('SEV2');
  });

  it('look only at incidents whose timers are due, and again when their timeline changes', async () => {
    const start = clock.now();
    const id = await declareIncident(t.db, { plan: 'timers-due', severity: 'SEV2', at: start });
    // A new incident (its declared event not processed yet) is looked at on the next pass, which
    // sets the moment its next timer may fire (the acknowledge target: 30 minutes, breached just after).
    expect(await timersAt(id)).toBe(undefined);
    await timersPass(start);
    expect(await timersAt(id)).toEqual(new Date(start.getTime() + 30 * MINUTE + 1));
    // Processing its events marks it due again; the next pass sets the same moment.
    await eventsPass(start);
    expect(await timersAt(id)).toBe(Number.NEGATIVE_INFINITY);
    await timersPass(start);
    expect(await timersAt(id)).toEqual(new Date(start.getTime() + 30 * MINUTE + 1));
    // Thousands of incidents whose timers are not due are not read: a pass finds nothing to do.
    await copies(id, 3 * TIMER_BATCH, `'${at(60 * 24).toISOString()}'`);
    expect(await timersPass(at(1))).toBe(0);
    expect(await timersAt(id)).toEqual(new Date(start.getTime() + 30 * MINUTE + 1));
    // Raised to SEV1 (acknowledge in 5 minutes): the change makes it due again, and the breach fires
    // at 5 minutes, not 30.
    await changeSeverity(t.db, id, 'SEV1', at(2));
    await eventsPass(at(2));
    expect(await timersAt(id)).toBe(Number.NEGATIVE_INFINITY);
    await timersPass(at(2));
    expect(await timersAt(id)).toEqual(new Date(start.getTime() + 5 * MINUTE + 1));
    expect(await timersPass(at(4))).toBe(0);
    expect(await timersPass(at(6))).toBe(1);
    expect((await runsOf(t.db, id)).map((r) => r.workflow)).toEqual(['plan: acknowledge target']);
    // Nothing more can fire for it until its timeline changes.
    expect(await timersAt(id)).toBe(null);
    await t.db.deleteFrom('incidents').where('id', '<>', id).execute();
  });

  it('drain a backlog a batch per pass, each pass asking for the next', async () => {
    const id = await declareIncident(t.db, { plan: 'timers-due', severity: 'SEV2', at: clock.now() });
    await copies(id, TIMER_BATCH + 10, `'-infinity'`);
    const due = () =>
      t.db
        .selectFrom('incident_timers')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('due_at', '<=', clock.now())
        .executeTakeFirstOrThrow();
    expect(await timersPass(clock.now())).toBe(TIMER_BATCH);
    expect(Number((await due()).n)).toBeGreaterThan(0);
    expect(await timersPass(clock.now())).toBe(0);
    expect(Number((await due()).n)).toBe(0);
  });
});
