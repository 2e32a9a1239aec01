import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { listenOn } from '../../../test/listener.ts';
import { VirtualClock } from '../../db/clock.ts';
import { connect } from '../../db/connect.ts';
import { inTx } from '../../db/tx.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { savePlan } from '../plans/save-plan.ts';
import { addNote } from './add-note.ts';
import { declareIncident } from './declare-incident.ts';
import { transitionIncident } from './transition-incident.ts';

// A declaration, a move and a note that are each one statement, their own transaction, announce the
// change after their commit (migration 0820, queries.ts announceIncidentChange) instead of through
// the triggers' NOTIFY at it: listeners hear exactly what the triggers sent before, once. Inside a
// caller's transaction the triggers still announce it at that transaction's commit.

let t: TestDb;
let listener: Awaited<ReturnType<typeof listenOn>>;
const clock = new VirtualClock('2026-03-02T10:00:00Z');

beforeAll(async () => {
  t = await freshDb();
  listener = await listenOn(t.url, ['tocsin_work', 'tocsin_events']);
  const ctx = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
  await savePlan({ ctx, input: { source: readFileSync('examples/plans/minimal.yaml', 'utf8') } });
  await take();
});
afterAll(async () => {
  await listener.end();
  await t.close();
});

/** What was announced so far (a round trip on the listening connection brings it in). */
async function take(): Promise<string[]> {
  return (await listener.take()).map((n) => `${n.channel} ${n.payload}`).sort();
}

/** The payload tocsin_notify_event sends (jsonb's text: keys sorted, a space after each colon and comma). */
const changed = (id: string) => `tocsin_events {"id": "${id}", "kind": "incident.changed"}`;

describe('incident writes announced after their commit', () => {
  it('announces a declaration, a move and a note once each, as the triggers did', async () => {
    const ctx = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
    const incident = await declareIncident({
      ctx,
      input: { title: 'search slow', plan: 'minimal', severity: 'SEV2' },
    });
    expect(await take()).toEqual([changed(incident.id), 'tocsin_work events']);
    await transitionIncident({ ctx, input: { incidentId: incident.id, to: 'mitigated' } });
    expect(await take()).toEqual([changed(incident.id), 'tocsin_work events']);
    // A note on an open incident is written processed: nothing for the workflow-events pass.
    await addNote({ ctx, input: { incidentId: incident.id, text: 'rolled back' } });
    expect(await take()).toEqual([changed(incident.id)]);
  });

  it("leaves the announcement to the triggers inside a caller's transaction", async () => {
    const ctx = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
    const incident = await declareIncident({
      ctx,
      input: { title: 'queue stuck', plan: 'minimal', severity: 'SEV2' },
    });
    await take();
    await inTx(t.db, async (tx) => {
      const inTransaction = makeCtx({ db: tx, clock }, SYSTEM_ACTOR);
      await transitionIncident({ ctx: inTransaction, input: { incidentId: incident.id, to: 'mitigated' } });
      await addNote({ ctx: inTransaction, input: { incidentId: incident.id, text: 'watching' } });
    });
    expect(await take()).toEqual([changed(incident.id), 'tocsin_work events']);
  });

  it('keeps the setting to the statement: the connection’s next write is announced by its triggers', async () => {
    const one = connect(t.url, 1);
    try {
      const ctx = makeCtx({ db: one.db, clock }, SYSTEM_ACTOR);
      const incident = await declareIncident({
        ctx,
        input: { title: 'disk full', plan: 'minimal', severity: 'SEV2' },
      });
      await addNote({ ctx, input: { incidentId: incident.id, text: 'cleaning up' } });
      await take();
      const { rows } = await sql<{
        v: string | null;
      }>`select current_setting('tocsin.announce_after_commit', true) as v`.execute(one.db);
      expect(rows[0]?.v ?? '').toBe('');
      await one.db
        .updateTable('incidents')
        .set({ summary: 'disk full on db-1' })
        .where('id', '=', incident.id)
        .execute();
      expect(await take()).toEqual([changed(incident.id)]);
    } finally {
      await one.db.destroy();
    }
  });
});
