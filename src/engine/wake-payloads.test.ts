import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/helpers.ts';
import { listenOn } from '../../test/listener.ts';
import { VirtualClock } from '../db/clock.ts';
import type { Executor } from '../db/schema.ts';
import { inTx } from '../db/tx.ts';
import type { InboundAlertEvent } from '../domain/alerts/alerts.ts';
import { ingestAlertEvents } from '../domain/alerts/ingest-alert-events.ts';
import { makeCtx, SYSTEM_ACTOR } from '../domain/context.ts';
import { addNote } from '../domain/incidents/add-note.ts';
import { declareIncident } from '../domain/incidents/declare-incident.ts';
import { UNHEARD_KINDS } from '../domain/incidents/events.ts';
import { PAYMENTS_PLAN } from '../domain/incidents/testing.ts';
import { enqueueNotification } from '../domain/notifications/enqueue.ts';
import { savePlan } from '../domain/plans/save-plan.ts';
import { createIntegration } from '../domain/services/create-integration.ts';
import { saveService } from '../domain/services/save-service.ts';
import type { Integration } from '../domain/services/services.ts';
import { EVENT_TRIGGERS } from '../domain/workflows/workflow-schema.ts';
import { Engine } from './engine.ts';
import { engineModules } from './modules.ts';

// What each commit's wake-up names (migration 0760): an escalation wakes the engine only while a step
// of it is due at commit; a message to people wakes the fan-out ('messages'), one to a contact
// delivery ('outbox'). A timeline event wakes the workflow-events pass only when it is left for it
// (migration 0790): a note on an open incident is written processed and wakes nothing. A new alert
// wakes the alert rules ('alerts') only while it awaits a decision (migration 0770): a batch of
// repeats does not.

let t: TestDb;
let listener: Awaited<ReturnType<typeof listenOn>>;
let integration: Integration;
const clock = new VirtualClock('2026-03-02T10:00:00Z');

beforeAll(async () => {
  t = await freshDb();
  listener = await listenOn(t.url, ['tocsin_work']);
  const ctx = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
  await saveService({ ctx, input: { service: { name: 'wake' }, mode: 'create' } });
  integration = await createIntegration({ ctx, input: { service: 'wake', type: 'pagerduty' } });
});
afterAll(async () => {
  await listener.end();
  await t.close();
});

/** The payloads of what committed so far (a round trip on the listening connection brings them in). */
async function take(): Promise<string[]> {
  return (await listener.take()).map((n) => n.payload).sort();
}

/** An escalation as startPaging inserts it: its first step due now. */
const start = (tx: Executor, source: string) =>
  tx
    .insertInto('escalations')
    .values({
      incident_id: null,
      kind: 'paging',
      source,
      steps: JSON.stringify([{ after: 0, targets: [] }]),
      message: 'paged',
      next_at: clock.now(),
      status: 'active',
      started_at: clock.now(),
      updated_at: clock.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();

describe('wake-up payloads', () => {
  it('names a new escalation only while a step of it is due at commit', async () => {
    await take();
    await inTx(t.db, (tx) => start(tx, 'due'));
    expect(await take()).toEqual(['escalations']);
    // Its first step run in the same transaction (as the alert-rules module does): nothing is due.
    await inTx(t.db, async (tx) => {
      const esc = await start(tx, 'stepped');
      await tx
        .updateTable('escalations')
        .set({ step: 1, next_at: new Date(clock.now().getTime() + 60_000), updated_at: clock.now() })
        .where('id', '=', esc.id)
        .execute();
    });
    expect(await take()).toEqual([]);
  });

  it('names messages to people apart from messages to contacts', async () => {
    await take();
    const message = (destination: string, dedupKey: string) => ({
      incidentId: null,
      channel: 'push',
      destination,
      payload: {},
      dedupKey,
    });
    await inTx(t.db, (tx) => enqueueNotification(tx, message('user:someone', 'p-1'), clock.now()));
    expect(await take()).toEqual(['messages']);
    await inTx(t.db, (tx) => enqueueNotification(tx, message('phone-1', 'p-2'), clock.now()));
    expect(await take()).toEqual(['outbox']);
    await inTx(t.db, async (tx) => {
      await enqueueNotification(tx, message('group:oncall', 'p-3'), clock.now());
      await enqueueNotification(tx, message('phone-2', 'p-4'), clock.now());
    });
    expect(await take()).toEqual(['messages', 'outbox']);
  });

  it('names timeline events only when the workflow-events pass has them to consume', async () => {
    const ctx = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
    await savePlan({ ctx, input: { source: PAYMENTS_PLAN } });
    const incident = await declareIncident({
      ctx,
      input: { title: 'checkout down', plan: 'payments', severity: 'P2' },
    });
    expect(await take()).toEqual(['events']);
    const open = await addNote({ ctx, input: { incidentId: incident.id, text: 'rolled back' } });
    expect(open.processed_at).toEqual(clock.now());
    expect(await take()).toEqual([]);
    // A resolved incident's events are the pass's still: it settles late targets from any of them.
    await t.db
      .updateTable('incidents')
      .set({ resolved_at: clock.now() })
      .where('id', '=', incident.id)
      .execute();
    const late = await addNote({ ctx, input: { incidentId: incident.id, text: 'post-mortem booked' } });
    expect(late.processed_at).toBeNull();
    expect(await take()).toEqual(['events']);
  });

  it('counts as unheard only kinds no workflow triggers on and no timer counts from', () => {
    for (const kind of UNHEARD_KINDS) {
      expect(EVENT_TRIGGERS as readonly string[]).not.toContain(kind);
      expect(['paging.step', 'update.published']).not.toContain(kind);
    }
  });

  it("writes a workflow-events pass's workflow.fired records processed: no second pass to claim them", async () => {
    const ctx = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
    await savePlan({ ctx, input: { source: readFileSync('examples/plans/minimal.yaml', 'utf8') } });
    const engine = new Engine({ db: t.db, clock }, engineModules({ deliver: false }));
    // What the tests above left for the pass (the resolved incident's note) is consumed first.
    await engine.runUntilIdle();
    await take();
    const incident = await declareIncident({
      ctx,
      input: { title: 'search slow', plan: 'minimal', severity: 'SEV2' },
    });
    expect(await take()).toEqual(['events']);
    await engine.wokenPass(new Set(['events']));
    const events = await t.db
      .selectFrom('incident_events')
      .select(['kind', 'processed_at'])
      .where('incident_id', '=', incident.id)
      .orderBy('id')
      .execute();
    expect(events).toEqual([
      { kind: 'incident.declared', processed_at: clock.now() },
      { kind: 'workflow.fired', processed_at: clock.now() },
    ]);
    expect(await take()).toEqual([]);
  });

  it('names alerts only when a commit leaves an alert to decide', async () => {
    const fire = (...keys: string[]) =>
      ingestAlertEvents({
        ctx: makeCtx({ db: t.db, clock }, SYSTEM_ACTOR),
        input: {
          integration,
          events: keys.map(
            (dedupKey): InboundAlertEvent => ({ action: 'trigger', dedupKey, summary: dedupKey, raw: {} }),
          ),
        },
      });
    await take();
    await fire('new-1', 'new-2');
    expect(await take()).toEqual(['alerts']);
    // Repeats of open alerts (still undecided or not): nothing new to route.
    await fire('new-1', 'new-2', 'new-1');
    expect(await take()).toEqual([]);
    // Decided, then detached from its incident: its next trigger is a recurrence to decide again.
    // (The incident it left is made up: replica mode skips the foreign key's check for this setup.)
    await inTx(t.db, async (tx) => {
      await sql`set local session_replication_role = replica`.execute(tx);
      await sql`update alerts set routed_at = now(), detached_from = -1 where dedup_key = 'new-1'`.execute(
        tx,
      );
      await sql`delete from alerts_undecided`.execute(tx);
    });
    expect(await take()).toEqual([]);
    await fire('new-1');
    expect(await take()).toEqual(['alerts']);
  });
});
