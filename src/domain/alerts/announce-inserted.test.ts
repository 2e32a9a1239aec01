import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { listenOn } from '../../../test/listener.ts';
import { VirtualClock } from '../../db/clock.ts';
import { connect } from '../../db/connect.ts';
import { inTx } from '../../db/tx.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { createIntegration } from '../services/create-integration.ts';
import { saveService } from '../services/save-service.ts';
import type { Integration } from '../services/services.ts';
import type { InboundAlertEvent } from './alerts.ts';
import { applyIngestBatch, type IngestInput } from './ingest-alert-events.ts';

// New alerts written by the ingest's one statement, its own transaction, are announced after its
// commit (migration 0830, queries.ts announceAlertsInserted) instead of through the insert
// triggers' NOTIFY at it: listeners hear what the triggers sent before — alert.changed for each new
// alert and the alert-rules wake — once. Inside a caller's transaction the triggers still announce
// them at that transaction's commit, and the statement's setting does not outlive it.

let t: TestDb;
let pd: Integration;
let listener: Awaited<ReturnType<typeof listenOn>>;
const clock = new VirtualClock('2026-03-02T10:00:00Z');

beforeAll(async () => {
  t = await freshDb();
  const ctx = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
  await saveService({ ctx, input: { service: { name: 'checkout' }, mode: 'create' } });
  pd = await createIntegration({ ctx, input: { service: 'checkout', type: 'pagerduty' } });
  listener = await listenOn(t.url, ['tocsin_work', 'tocsin_events']);
});
afterAll(async () => {
  await listener.end();
  await t.close();
});

/** What was announced so far (a round trip on the listening connection brings it in). */
async function take(): Promise<string[]> {
  return (await listener.take()).map((n) => `${n.channel} ${n.payload}`);
}

const trigger = (dedupKey: string): InboundAlertEvent => ({
  action: 'trigger',
  dedupKey,
  summary: dedupKey,
  source: 'test',
  severity: 'error',
  raw: { dedupKey },
});
const input = (...keys: string[]): IngestInput => ({
  integration: pd,
  key: pd.key,
  events: keys.map(trigger),
});

/** The ids of the alerts a batch created, in order. */
function createdIds(outcomes: Awaited<ReturnType<typeof applyIngestBatch>>): string[] {
  return outcomes.flatMap((o) =>
    o === 'stale-key' ? [] : o.flatMap((r) => (r.outcome === 'created' && r.alert_id ? [r.alert_id] : [])),
  );
}

/** What the insert triggers announce for new alerts without an incident. */
const announced = (ids: string[]) => [
  `tocsin_events {"kind":"alert.changed","batch":[${ids.map((id) => `{"id":"${id}","incident_id":null}`).join(',')}]}`,
  'tocsin_work alerts',
];

describe('new alerts announced after the ingest commit', () => {
  it('announces a batch of new alerts once, as the triggers did', async () => {
    await take();
    const outcomes = await applyIngestBatch(t.db, clock.now(), [input('a-1', 'a-2'), input('a-3')]);
    const ids = createdIds(outcomes);
    expect(ids).toHaveLength(3);
    expect(await take()).toEqual(announced([...ids].sort((x, y) => Number(x) - Number(y))));
  });

  it('announces nothing for a repeat of an open alert', async () => {
    await applyIngestBatch(t.db, clock.now(), [input('b-1')]);
    await take();
    await applyIngestBatch(t.db, clock.now(), [input('b-1')]);
    expect(await take()).toEqual([]);
  });

  it("leaves the announcement to the triggers inside a caller's transaction, at its commit", async () => {
    await take();
    let during: string[] = [];
    const outcomes = await inTx(t.db, async (tx) => {
      const o = await applyIngestBatch(tx, clock.now(), [input('c-1', 'c-2')]);
      during = await take();
      return o;
    });
    expect(during).toEqual([]);
    expect(await take()).toEqual(announced(createdIds(outcomes)));
  });

  it("keeps the setting to the statement's transaction: the connection's next insert is announced by its triggers", async () => {
    const one = connect(t.url, 1);
    try {
      await applyIngestBatch(one.db, clock.now(), [input('d-1')]);
      await take();
      // A batch with a resolve is written event by event in a transaction: its insert triggers announce.
      const outcomes = await applyIngestBatch(one.db, clock.now(), [
        input('d-2'),
        { integration: pd, key: pd.key, events: [{ action: 'resolve', dedupKey: 'd-1', raw: {} }] },
      ]);
      expect(await take()).toEqual(expect.arrayContaining(announced(createdIds(outcomes))));
    } finally {
      await one.pool.end();
    }
  });
});
