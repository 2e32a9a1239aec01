import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { connect } from '../../db/connect.ts';
import { freePort } from '../../db/embedded.ts';
import { NotFound, Unavailable } from '../../errors.ts';
import { mapError } from '../../http/error-mapping.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { createIntegration } from '../services/create-integration.ts';
import { saveService } from '../services/save-service.ts';
import type { Integration } from '../services/services.ts';
import type { InboundAlertEvent } from './alerts.ts';
import { getAlert } from './get-alert.ts';
import { GroupCommit, type GroupCommitOptions } from './group-commit.ts';
import { ingestAlertEvents } from './ingest-alert-events.ts';

let t: TestDb;
let pd: Integration;
let other: Integration;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
const ctx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);

beforeAll(async () => {
  t = await freshDb();
  await saveService({ ctx: ctx(), input: { service: { name: 'checkout' }, mode: 'create' } });
  pd = await createIntegration({ ctx: ctx(), input: { service: 'checkout', type: 'pagerduty' } });
  other = await createIntegration({ ctx: ctx(), input: { service: 'checkout', type: 'webhook' } });
});
afterAll(() => t.close());

const noLimit: Partial<GroupCommitOptions> = { keyRate: { rate: 0, burst: 1 } };

function trigger(dedupKey: string, summary = `summary of ${dedupKey}`): InboundAlertEvent {
  return {
    action: 'trigger',
    dedupKey,
    summary,
    source: 'test',
    severity: 'error',
    raw: { dedupKey, summary },
  };
}
const resolve = (dedupKey: string): InboundAlertEvent => ({ action: 'resolve', dedupKey, raw: {} });
const acknowledge = (dedupKey: string): InboundAlertEvent => ({ action: 'acknowledge', dedupKey, raw: {} });

const alertsOf = (dedupKey: string) =>
  t.db.selectFrom('alerts').selectAll().where('dedup_key', '=', dedupKey).orderBy('id').execute();

async function logOf(dedupKey: string) {
  const rows = await t.db
    .selectFrom('alert_events')
    .innerJoin('alerts', 'alerts.id', 'alert_events.alert_id')
    .select(['alert_events.kind'])
    .where('alerts.dedup_key', '=', dedupKey)
    .orderBy('alert_events.id')
    .execute();
  return rows.map((r) => r.kind);
}

describe('group commit', () => {
  it('commits concurrent requests together and answers each only after its commit', async () => {
    const gc = new GroupCommit(t.db, clock, noLimit);
    const answered = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        gc.submit(pd.key, { integration: pd, events: [trigger(`batch-${i}`)] }).then(async (results) => {
          // Seen from another connection the moment the answer arrives: it is committed.
          const stored = await alertsOf(`batch-${i}`);
          return { results, stored };
        }),
      ),
    );
    for (const { results, stored } of answered) {
      expect(results).toEqual([expect.objectContaining({ outcome: 'created', throttled: false })]);
      expect(stored).toHaveLength(1);
      expect(stored[0]?.id).toBe(results[0]?.alert_id);
    }
    // 120 requests at once fill batches of up to 50: a handful of commits, not 120.
    expect(gc.stats.requests).toBe(120);
    expect(gc.stats.batches).toBeLessThanOrEqual(6);
  });

  it('writes a lone request at once, and starts a batch beside one in flight only once enough wait', async () => {
    const options = { ...noLimit, maxBatchEvents: 50, maxConcurrentBatches: 2, minEventsForExtraBatch: 20 };
    // Alone, a request is written at once: no waiting for company (it would wait forever here).
    const alone = new GroupCommit(t.db, clock, { ...options, minEventsForExtraBatch: 1_000 });
    const [one] = await alone.submit(pd.key, { integration: pd, events: [trigger('alone')] });
    expect(one?.outcome).toBe('created');
    expect(alone.stats).toMatchObject({ batches: 1, peakInFlight: 1 });
    // 60 at once: the first batch takes 50, and the 10 left (fewer than 20) wait for its commit.
    const few = new GroupCommit(t.db, clock, options);
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        few.submit(pd.key, { integration: pd, events: [trigger(`few-${i}`)] }),
      ),
    );
    expect(few.stats).toMatchObject({ requests: 60, batches: 2, peakInFlight: 1 });
    // 100 at once: the 50 left are enough for a second batch beside the first.
    const many = new GroupCommit(t.db, clock, options);
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        many.submit(pd.key, { integration: pd, events: [trigger(`many-${i}`)] }),
      ),
    );
    expect(many.stats).toMatchObject({ requests: 100, batches: 2, peakInFlight: 2 });
  });

  it('counts 200 concurrent repeats of one key on one open alert', async () => {
    const gc = new GroupCommit(t.db, clock, noLimit);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        gc.submit(pd.key, { integration: pd, events: [trigger('storm', `storm ${i}`)] }),
      ),
    );
    const outcomes = results.flat().map((r) => r.outcome);
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'deduplicated')).toHaveLength(199);
    const [alert, ...more] = await alertsOf('storm');
    expect(more).toHaveLength(0);
    // Concurrent batches commit in any order (as concurrent requests may arrive in any order): the
    // payload is one of theirs; a sender that waits for each answer is never reordered.
    expect(alert).toMatchObject({
      count: 200,
      summary: expect.stringMatching(/^storm \d+$/),
      status: 'triggered',
    });
    const log = await logOf('storm');
    expect(log.filter((k) => k === 'trigger')).toHaveLength(1);
    expect(log.filter((k) => k === 'repeat')).toHaveLength(199);
  });

  it('leaves a coalesced run as its events one by one would: fields of the first, refreshed by the last', async () => {
    const gc = new GroupCommit(t.db, clock, noLimit);
    const first = { ...trigger('run', 'first'), component: 'db', severity: 'warning' as const };
    const last = { ...trigger('run', 'last'), component: 'web', severity: 'critical' as const };
    const results = await gc.submit(pd.key, {
      integration: pd,
      events: [first, trigger('run', 'middle'), last],
    });
    expect(results.map((r) => r.outcome)).toEqual(['created', 'deduplicated', 'deduplicated']);
    const direct = await ingestAlertEvents({
      ctx: ctx(),
      input: {
        integration: pd,
        events: [
          { ...first, dedupKey: 'run-2' },
          trigger('run-2', 'middle'),
          { ...last, dedupKey: 'run-2' },
          acknowledge('other'),
        ],
      },
    });
    expect(direct.map((r) => r.outcome)).toEqual(['created', 'deduplicated', 'deduplicated', 'ignored']);
    const pick = ({ count, summary, severity, component, raw }: Record<string, unknown>) => ({
      count,
      summary,
      severity,
      component,
      raw: (raw as { summary: string }).summary,
    });
    const [grouped] = await alertsOf('run');
    const [oneByOne] = await alertsOf('run-2');
    expect(pick(grouped ?? {})).toEqual({
      count: 3,
      summary: 'last',
      severity: 'critical',
      component: 'db',
      raw: 'last',
    });
    expect(pick(oneByOne ?? {})).toEqual(pick(grouped ?? {}));
    expect(await logOf('run')).toEqual(await logOf('run-2'));
  });

  it('keeps each key’s order across requests in one batch: trigger, resolve, trigger, acknowledge', async () => {
    const gc = new GroupCommit(t.db, clock, noLimit);
    const [first, resolved, second, acked] = await Promise.all([
      gc.submit(pd.key, { integration: pd, events: [trigger('flap')] }),
      gc.submit(pd.key, { integration: pd, events: [resolve('flap')] }),
      gc.submit(pd.key, { integration: pd, events: [trigger('flap'), trigger('flap')] }),
      gc.submit(pd.key, { integration: pd, events: [acknowledge('flap')] }),
    ]);
    expect(gc.stats.batches).toBe(1);
    expect(first?.[0]?.outcome).toBe('created');
    expect(resolved?.[0]?.outcome).toBe('resolved');
    expect(second?.map((r) => r.outcome)).toEqual(['created', 'deduplicated']);
    expect(acked?.[0]?.outcome).toBe('acknowledged');
    const rows = await alertsOf('flap');
    expect(rows.map((r) => [r.status, r.count])).toEqual([
      ['resolved', 1],
      ['acknowledged', 2],
    ]);
  });

  it('retries a failed batch request by request: one bad request fails alone', async () => {
    const gc = new GroupCommit(t.db, clock, noLimit);
    // Passes the format's checks, but PostgreSQL refuses a NUL character in text.
    const bad = gc.submit(pd.key, { integration: pd, events: [trigger('poison', 'nul \u0000 inside')] });
    const good = Array.from({ length: 10 }, (_, i) =>
      gc.submit(pd.key, { integration: pd, events: [trigger(`healthy-${i}`)] }),
    );
    const error = await bad.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(mapError(error).status).toBe(400);
    for (const results of await Promise.all(good)) expect(results[0]?.outcome).toBe('created');
    expect(gc.stats.fallbacks).toBe(1);
    expect(await alertsOf('poison')).toHaveLength(0);
    expect(await alertsOf('healthy-9')).toHaveLength(1);
  });

  it('refuses a request whose key was rotated or never existed, inside the write, and no other', async () => {
    const gc = new GroupCommit(t.db, clock, noLimit);
    const [stale, live, staleMixed] = await Promise.allSettled([
      gc.submit('0'.repeat(32), { integration: pd, events: [trigger('stale-1')] }),
      gc.submit(pd.key, { integration: pd, events: [trigger('live-1')] }),
      // Mixed actions take the one-by-one path; the key is checked there too.
      gc.submit(other.key, { integration: pd, events: [trigger('stale-2'), resolve('stale-2')] }),
    ]);
    expect(stale.status === 'rejected' && stale.reason).toBeInstanceOf(NotFound);
    expect(live.status).toBe('fulfilled');
    expect(staleMixed.status === 'rejected' && staleMixed.reason).toBeInstanceOf(NotFound);
    expect(await alertsOf('stale-1')).toHaveLength(0);
    expect(await alertsOf('stale-2')).toHaveLength(0);
  });

  it('sheds repeats over the key’s rate but still counts them', async () => {
    const gc = new GroupCommit(t.db, clock, { keyRate: { rate: 0.001, burst: 3 } });
    const results = (
      await Promise.all(
        Array.from({ length: 10 }, () => gc.submit(pd.key, { integration: pd, events: [trigger('noisy')] })),
      )
    ).flat();
    expect(results.filter((r) => r.throttled)).toHaveLength(7);
    expect((await alertsOf('noisy'))[0]?.count).toBe(10);
    // Shed repeats write no log rows: one trigger, two applied repeats.
    expect(await logOf('noisy')).toEqual(['trigger', 'repeat', 'repeat']);
    // Later, alone in its batch, a shed repeat is one count on the open alert.
    const [late] = await gc.submit(pd.key, { integration: pd, events: [trigger('noisy')] });
    expect(late).toMatchObject({ outcome: 'deduplicated', throttled: true });
    expect((await alertsOf('noisy'))[0]?.count).toBe(11);
  });

  it('counts shed repeats in a mixed batch too, and opens the alert when none is open', async () => {
    const gc = new GroupCommit(t.db, clock, { keyRate: { rate: 0.001, burst: 2 } });
    await gc.submit(pd.key, { integration: pd, events: [trigger('shed-mixed'), trigger('shed-mixed')] });
    // Over the limit from now on; a resolve in the batch forces the one-by-one path.
    const [a, b, c] = await Promise.all([
      gc.submit(pd.key, { integration: pd, events: [trigger('shed-mixed')] }),
      gc.submit(pd.key, { integration: pd, events: [trigger('shed-mixed')] }),
      gc.submit(pd.key, { integration: pd, events: [resolve('something-else')] }),
    ]);
    expect([a?.[0]?.throttled, b?.[0]?.throttled, c?.[0]?.outcome]).toEqual([true, true, 'ignored']);
    expect((await alertsOf('shed-mixed'))[0]?.count).toBe(4);
    await gc.submit(pd.key, { integration: pd, events: [resolve('shed-mixed')] });
    // Throttled, but nothing is open to count against: it opens a new alert and is not shed.
    const [reopened] = await gc.submit(pd.key, { integration: pd, events: [trigger('shed-mixed')] });
    expect(reopened).toMatchObject({ outcome: 'created', throttled: false });
    expect((await alertsOf('shed-mixed')).map((r) => [r.status, r.count])).toEqual([
      ['resolved', 4],
      ['triggered', 1],
    ]);
  });

  it('refuses with Unavailable (503) beyond the queue limit, and stores what it accepted', async () => {
    const gc = new GroupCommit(t.db, clock, { ...noLimit, maxQueuedEvents: 10 });
    const settled = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        gc.submit(pd.key, { integration: pd, events: [trigger(`queued-${i}`)] }),
      ),
    );
    const refused = settled.filter((s) => s.status === 'rejected');
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(10);
    expect(refused).toHaveLength(20);
    for (const r of refused) {
      expect(r.status === 'rejected' && r.reason).toBeInstanceOf(Unavailable);
      expect(mapError(r.status === 'rejected' ? r.reason : undefined).status).toBe(503);
    }
  });

  it('answers 503 when the store is unreachable', async () => {
    const { db } = connect(`postgres://nobody:x@127.0.0.1:${await freePort()}/none`, 2);
    try {
      const gc = new GroupCommit(db, clock, noLimit);
      const errors = await Promise.all(
        Array.from({ length: 3 }, (_, i) =>
          gc.submit(pd.key, { integration: pd, events: [trigger(`down-${i}`)] }).catch((e: unknown) => e),
        ),
      );
      for (const e of errors) expect(mapError(e).status).toBe(503);
    } finally {
      await db.destroy();
    }
  });

  it('answers every request of a batch the store did not serve in time with 503 at once, and writes the next', async () => {
    // A batch that failed because the store did not answer (here: a table lock past the statement
    // timeout, as a frozen or overloaded server) was retried request by request, each waiting out the
    // timeout again: the last of a 50-event batch answered after 50 timeouts (≈ 29 min at the default
    // 30 s + 5 s), holding a batch slot all along. Nothing about one request is at fault: no retry.
    const { db } = connect(t.url, 4, { connectMs: 5_000, statementMs: 200 });
    const locker = new pg.Client({ connectionString: t.url });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table alerts in access exclusive mode');
      const gc = new GroupCommit(db, clock, noLimit);
      const errors = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          gc.submit(pd.key, { integration: pd, events: [trigger(`slow-${i}`)] }).catch((e: unknown) => e),
        ),
      );
      for (const e of errors) expect(mapError(e).status).toBe(503);
      expect(gc.stats.fallbacks).toBe(0);
      await locker.query('rollback');
      const [next] = await gc.submit(pd.key, { integration: pd, events: [trigger('slow-after')] });
      expect(next?.outcome).toBe('created');
    } finally {
      await locker.end();
      await db.destroy();
    }
  });

  it('commits what is queued before close() resolves, then refuses', async () => {
    const gc = new GroupCommit(t.db, clock, noLimit);
    const pending = gc.submit(pd.key, { integration: pd, events: [trigger('at-close')] });
    await gc.close();
    expect(await alertsOf('at-close')).toHaveLength(1);
    expect((await pending)[0]?.outcome).toBe('created');
    await expect(gc.submit(pd.key, { integration: pd, events: [trigger('after-close')] })).rejects.toThrow(
      Unavailable,
    );
  });

  it('leaves ingestAlertEvents (one sender, the caller’s transaction) working as before', async () => {
    const results = await ingestAlertEvents({
      ctx: ctx(),
      input: { integration: pd, events: [trigger('direct'), trigger('direct'), acknowledge('direct')] },
    });
    expect(results.map((r) => r.outcome)).toEqual(['created', 'deduplicated', 'acknowledged']);
    await t.db.transaction().execute(async (tx) => {
      const inTx = await ingestAlertEvents({
        ctx: makeCtx({ db: tx, clock }, SYSTEM_ACTOR),
        input: { integration: pd, events: [trigger('direct-tx')] },
      });
      expect(inTx[0]?.outcome).toBe('created');
    });
    expect(await alertsOf('direct-tx')).toHaveLength(1);
  });
});

describe('alert storage: the payload is stored once', () => {
  const payload = (key: string, text: string) => ({ ...trigger(key), raw: { dedupKey: key, text } });
  const shown = async (dedupKey: string) => {
    const [row] = await alertsOf(dedupKey);
    const { alert, events } = await getAlert({ ctx: ctx(), input: { alertId: row?.id ?? '' } });
    return {
      stored: row?.raw,
      shown: 'raw' in alert ? alert.raw : undefined,
      trigger: events.find((e) => e.kind === 'trigger')?.data,
    };
  };

  it('keeps a new alert’s payload in its trigger event only, and shows it with the alert', async () => {
    const gc = new GroupCommit(t.db, clock, noLimit);
    await gc.submit(pd.key, { integration: pd, events: [payload('once', 'opening')] });
    expect(await shown('once')).toEqual({
      stored: null,
      shown: { dedupKey: 'once', text: 'opening' },
      trigger: { raw: { dedupKey: 'once', text: 'opening' } },
    });
  });

  it('shows the latest payload once a repeat replaced it, and keeps the opening one in the log', async () => {
    const gc = new GroupCommit(t.db, clock, noLimit);
    await gc.submit(pd.key, { integration: pd, events: [payload('again', 'opening')] });
    await gc.submit(pd.key, { integration: pd, events: [payload('again', 'later')] });
    const opening = { raw: { dedupKey: 'again', text: 'opening' } };
    expect(await shown('again')).toEqual({
      stored: { dedupKey: 'again', text: 'later' },
      shown: { dedupKey: 'again', text: 'later' },
      trigger: opening,
    });
    // The one-by-one path (a batch with other actions) stores it the same way.
    await ingestAlertEvents({
      ctx: ctx(),
      input: { integration: pd, events: [payload('again-2', 'opening'), acknowledge('none')] },
    });
    expect((await shown('again-2')).stored).toBeNull();
    await ingestAlertEvents({
      ctx: ctx(),
      input: { integration: pd, events: [payload('again-2', 'later'), acknowledge('none')] },
    });
    expect(await shown('again-2')).toEqual({
      stored: { dedupKey: 'again-2', text: 'later' },
      shown: { dedupKey: 'again-2', text: 'later' },
      trigger: { raw: { dedupKey: 'again-2', text: 'opening' } },
    });
  });

  it('leaves the payload alone on a shed repeat', async () => {
    const gc = new GroupCommit(t.db, clock, { keyRate: { rate: 0.001, burst: 1 } });
    await gc.submit(pd.key, { integration: pd, events: [payload('shed', 'opening')] });
    const [result] = await gc.submit(pd.key, { integration: pd, events: [payload('shed', 'shed')] });
    expect(result?.throttled).toBe(true);
    expect(await shown('shed')).toMatchObject({ stored: null, shown: { text: 'opening' } });
    expect((await alertsOf('shed'))[0]?.count).toBe(2);
  });
});
