import { type AnnounceLog, announceCommitted } from '../../db/announce.ts';
import type { Executor, NewRow } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import type { Ctx } from '../context.ts';
import * as services from '../services/queries.ts';
import type { Integration } from '../services/services.ts';
import { type InboundAlertEvent, type IngestResult, MAX_DEDUP_KEY } from './alerts.ts';
import * as alerts from './queries.ts';

export interface IngestInput {
  /** id null: events raised by Tocsin itself (checks, heartbeats) rather than a sender's integration. */
  integration: Pick<Integration, 'service_id' | 'name' | 'type'> & { id: string | null };
  events: InboundAlertEvent[];
  /**
   * Per event: a trigger over its key's rate limit (key-rate-limit.ts). It only counts as a repeat of
   * the open alert — one statement per key and batch, no payload refresh, no alert_events row — and
   * is applied in full only when no alert of its key is open, so shedding never loses an alert.
   */
  throttled?: readonly boolean[] | undefined;
  /** The integration key the sender used; when given, it must still be live at write time. */
  key?: string | undefined;
}

export interface AppliedEvent extends IngestResult {
  /** Counted as a repeat only (see IngestInput.throttled). */
  throttled: boolean;
}

/**
 * Applies inbound events (already parsed and validated by their format) in one transaction, so the
 * sender is answered only after everything it sent is committed. Triggers deduplicate on
 * (service, dedup key); acknowledge and resolve act on the open alert of that key, if any.
 */
export async function ingestAlertEvents({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: IngestInput;
}): Promise<IngestResult[]> {
  const [results] = await applyIngestBatch(ctx.db, ctx.clock.now(), [{ ...input, key: undefined }], ctx.log);
  return results === 'stale-key' ? [] : (results ?? []);
}

interface Item {
  job: number;
  index: number;
  input: IngestInput;
  event: InboundAlertEvent;
  key: string;
  throttled: boolean;
}

/** A sender's results, or 'stale-key' when its integration key stopped being live (rotated, disabled). */
export type BatchOutcome = AppliedEvent[] | 'stale-key';

// One lock order for every transaction: two batches that share keys then wait for each other
// instead of deadlocking. Plain code-unit comparison is enough — it only has to be consistent.
function byServiceAndKey(a: Item, b: Item): number {
  const service = a.input.integration.service_id;
  const other = b.input.integration.service_id;
  if (service !== other) return service < other ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

const sameKey = (a: Item, b: Item) =>
  a.key === b.key && a.input.integration.service_id === b.input.integration.service_id;

/** The batch's events in lock order, split into runs of one (service, dedup key) each. */
function runsOf(inputs: readonly IngestInput[]): Item[][] {
  const items: Item[] = inputs.flatMap((input, job) =>
    input.events.map((event, index) => ({
      job,
      index,
      input,
      event,
      key: event.dedupKey.slice(0, MAX_DEDUP_KEY),
      throttled: event.action === 'trigger' && input.throttled?.[index] === true,
    })),
  );
  items.sort(byServiceAndKey);
  const runs: Item[][] = [];
  for (const item of items) {
    const run = runs.at(-1);
    if (run && sameKey(run[0] as Item, item)) run.push(item);
    else runs.push([item]);
  }
  return runs;
}

/**
 * Applies the events of several senders (group commit, group-commit.ts) and returns each sender's
 * results in its own event order. Events of one key keep their arrival order (the sort is stable);
 * keys are visited in one global order (see above). When `input.key` is given, that integration key
 * must still be live when the events are written, or the sender gets 'stale-key'.
 *
 * Two ways to the same result:
 * - triggers only (the flood case): every run of one key becomes one row of ONE multi-row upsert
 *   (count += n) that also writes the log — one statement, one round trip, no BEGIN/COMMIT;
 * - anything else (acknowledge/resolve in the batch, one key from two integrations): one statement
 *   per event inside a transaction — a key repeated in the batch then updates its row again, where
 *   one multi-row INSERT would fail with "ON CONFLICT DO UPDATE command cannot affect row a second
 *   time".
 */
export async function applyIngestBatch(
  db: Executor,
  now: Date,
  inputs: readonly IngestInput[],
  log?: AnnounceLog,
): Promise<BatchOutcome[]> {
  const runs = runsOf(inputs);
  const setBased = runs.every((run) =>
    run.every(
      (item) =>
        item.event.action === 'trigger' &&
        item.input.key === (run[0] as Item).input.key &&
        item.input.integration.id === (run[0] as Item).input.integration.id,
    ),
  );
  if (setBased) {
    const refreshing = runs.filter((run) => run.some((item) => !item.throttled));
    const countOnly = runs.filter((run) => run.every((item) => item.throttled));
    // One statement is atomic by itself; two need a transaction.
    if (refreshing.length > 0 && countOnly.length > 0) {
      return (await inTx(db, (tx) => applyTriggerRuns(tx, now, inputs, refreshing, countOnly, false)))
        .outcomes;
    }
    // Its own transaction (not a caller's): it announces its new alerts after its commit.
    const announcing = !db.isTransaction;
    const { outcomes, created } = await applyTriggerRuns(db, now, inputs, refreshing, countOnly, announcing);
    if (announcing && created.length > 0) {
      await announceCommitted(
        () => alerts.announceAlertsInserted(db, created),
        log,
        { alerts: created.length },
        'announcing new alerts failed (they are committed)',
      );
    }
    return outcomes;
  }
  return inTx(db, (tx) => applyOneByOne(tx, now, inputs, runs));
}

function alertFields(integration: IngestInput['integration'], e: InboundAlertEvent, dedupKey: string) {
  return {
    service_id: integration.service_id,
    integration_id: integration.id,
    dedup_key: dedupKey,
    summary: e.summary ?? dedupKey,
    source: e.source ?? '',
    severity: e.severity ?? 'error',
    component: e.component ?? null,
    alert_group: e.group ?? null,
    alert_class: e.class ?? null,
    labels: e.labels ?? {},
    details: e.details ?? {},
    links: e.links ?? [],
    images: e.images ?? [],
    started_at: e.startedAt ?? null,
    raw: e.raw ?? {},
  };
}

/**
 * Where `value` (an object) sits in `raw`, one or two levels down (PagerDuty's details are its raw
 * payload.custom_details), or null. The store then reads it from the raw payload it gets anyway, so
 * the same bytes are not sent, stringified and parsed twice.
 */
function pathIn(raw: unknown, value: unknown): string[] | null {
  if (typeof value !== 'object' || value === null) return null;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  for (const [key, child] of Object.entries(raw)) {
    if (child === value) return [key];
    if (typeof child !== 'object' || child === null || Array.isArray(child)) continue;
    for (const [inner, grandchild] of Object.entries(child)) if (grandchild === value) return [key, inner];
  }
  return null;
}

/** A run of triggers as the one row it leaves: fields of its first event, refreshed by its last applied one. */
function triggerRun(run: Item[]): alerts.TriggerRun {
  const first = run[0] as Item;
  const applied = run.filter((item) => !item.throttled);
  const last = applied.at(-1) ?? first;
  const opening = alertFields(first.input.integration, first.event, first.key);
  const latest = alertFields(last.input.integration, last.event, last.key);
  const detailsAt = pathIn(latest.raw, latest.details);
  return {
    ...opening,
    summary: latest.summary,
    source: latest.source,
    severity: latest.severity,
    labels: latest.labels,
    // Left out (undefined is not serialised) when the store can read it from raw at details_at.
    details: detailsAt ? undefined : latest.details,
    details_at: detailsAt,
    raw: latest.raw,
    key: first.input.key ?? null,
    n: run.length,
    // Sent once when it is the same payload (most runs are one event).
    first_raw: opening.raw === latest.raw ? null : opening.raw,
    // The opening event is logged as the trigger; every other applied event as a repeat.
    repeats_if_created: applied.filter((item) => item !== first).length,
    repeats_if_open: applied.length,
    actor: `integration:${first.input.integration.name}`,
  };
}

/** Outcomes per input, and the ids of the alerts the statements created. */
async function applyTriggerRuns(
  db: Executor,
  now: Date,
  inputs: readonly IngestInput[],
  refreshing: Item[][],
  countOnly: Item[][],
  announcedAfterCommit: boolean,
): Promise<{ outcomes: BatchOutcome[]; created: string[] }> {
  const outcomes: BatchOutcome[] = inputs.map(() => []);
  const created: string[] = [];
  for (const [runs, refresh] of [
    [refreshing, true],
    [countOnly, false],
  ] as const) {
    if (runs.length === 0) continue;
    const rows = await alerts.upsertTriggerRuns(db, runs.map(triggerRun), now, refresh, announcedAfterCommit);
    for (const row of rows) if (row.inserted) created.push(row.id);
    const byKey = new Map(rows.map((r) => [`${r.service_id}\u0000${r.dedup_key}`, r]));
    for (const run of runs) {
      const first = run[0] as Item;
      const row = byKey.get(`${first.input.integration.service_id}\u0000${first.key}`);
      for (const item of run) {
        const outcome = outcomes[item.job];
        if (!row) outcomes[item.job] = 'stale-key';
        if (!row || outcome === 'stale-key' || outcome === undefined) continue;
        const opened = item === first && row.inserted;
        outcome[item.index] = {
          dedup_key: item.key,
          alert_id: row.id,
          outcome: opened ? 'created' : 'deduplicated',
          throttled: item.throttled && !opened,
        };
      }
    }
  }
  return { outcomes, created };
}

async function applyOneByOne(
  tx: Executor,
  now: Date,
  inputs: readonly IngestInput[],
  runs: Item[][],
): Promise<BatchOutcome[]> {
  const checked = [...new Set(inputs.flatMap((input) => (input.key === undefined ? [] : [input.key])))];
  const owners = await services.liveIntegrationKeys(tx, checked);
  const live = inputs.map(
    (input) => input.key === undefined || owners.get(input.key) === input.integration.id,
  );
  const results: AppliedEvent[][] = inputs.map(() => []);
  const log: NewRow<'alert_events'>[] = [];
  for (const run of runs) {
    const items = run.filter((item) => live[item.job]);
    for (let k = 0; k < items.length; ) {
      const item = items[k] as Item;
      if (item.throttled) {
        let end = k + 1;
        while (end < items.length && items[end]?.throttled) end++;
        const bumped = await alerts.countRepeats(
          tx,
          item.input.integration.service_id,
          item.key,
          end - k,
          now,
        );
        if (bumped) {
          for (const r of items.slice(k, end)) {
            (results[r.job] as AppliedEvent[])[r.index] = {
              dedup_key: r.key,
              alert_id: bumped.id,
              outcome: 'deduplicated',
              throttled: true,
            };
          }
          k = end;
          continue;
        }
        // No open alert to count against: this one opens it in full; the rest of the run then count.
      }
      const result = await applyEvent(tx, item.input.integration, item.event, item.key, now);
      (results[item.job] as AppliedEvent[])[item.index] = { ...result, throttled: false };
      const entry = logEntry(item, result, now);
      if (entry) log.push(entry);
      k++;
    }
  }
  await alerts.insertEvents(tx, log);
  return results.map((r, job) => (live[job] ? r : 'stale-key'));
}

function logEntry(item: Item, result: IngestResult, now: Date): NewRow<'alert_events'> | undefined {
  if (!result.alert_id || result.outcome === 'ignored') return undefined;
  const repeat = result.outcome === 'deduplicated';
  return {
    alert_id: result.alert_id,
    at: now,
    kind: repeat ? 'repeat' : item.event.action,
    actor: `integration:${item.input.integration.name}`,
    // Repeats (Alertmanager re-sends whole groups) would bloat the log; the alert keeps the latest.
    data: JSON.stringify(repeat ? {} : { raw: item.event.raw }),
  };
}

async function applyEvent(
  tx: Executor,
  integration: IngestInput['integration'],
  e: InboundAlertEvent,
  dedupKey: string,
  now: Date,
): Promise<IngestResult> {
  const serviceId = integration.service_id;
  if (e.action === 'trigger') {
    const f = alertFields(integration, e, dedupKey);
    const row = await alerts.upsertTrigger(tx, {
      ...f,
      status: 'triggered',
      labels: JSON.stringify(f.labels),
      details: JSON.stringify(f.details),
      links: JSON.stringify(f.links),
      images: JSON.stringify(f.images),
      raw: JSON.stringify(f.raw),
      first_seen_at: now,
      last_seen_at: now,
      updated_at: now,
    });
    return { dedup_key: dedupKey, alert_id: row.id, outcome: row.inserted ? 'created' : 'deduplicated' };
  }
  const target = e.action === 'acknowledge' ? 'acknowledged' : 'resolved';
  const from =
    e.action === 'acknowledge' ? (['triggered'] as const) : (['triggered', 'acknowledged'] as const);
  const row = await alerts.setStatusByKey(tx, serviceId, dedupKey, [...from], { status: target, at: now });
  return { dedup_key: dedupKey, alert_id: row?.id ?? null, outcome: row ? target : 'ignored' };
}
