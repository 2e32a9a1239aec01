import type { Transaction } from 'kysely';
import type { Database, Executor, NewRow } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import type { Ctx } from '../context.ts';
import type { Integration } from '../services/services.ts';
import { type InboundAlertEvent, type IngestResult, MAX_DEDUP_KEY } from './alerts.ts';
import * as alerts from './queries.ts';

export interface IngestInput {
  integration: Pick<Integration, 'id' | 'service_id' | 'name' | 'type'>;
  events: InboundAlertEvent[];
  /**
   * Per event: a trigger over its key's rate limit (key-rate-limit.ts). It only counts as a repeat of
   * the open alert — one statement per key and batch, no payload refresh, no alert_events row — and
   * is applied in full only when no alert of its key is open, so shedding never loses an alert.
   */
  throttled?: readonly boolean[] | undefined;
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
  return inTx(ctx.db, async (tx) => {
    const [results] = await applyIngestBatch(tx, ctx.clock.now(), [input]);
    return results ?? [];
  });
}

interface Item {
  job: number;
  index: number;
  input: IngestInput;
  event: InboundAlertEvent;
  key: string;
  throttled: boolean;
}

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

/**
 * Applies the events of several senders inside the caller's transaction (group commit,
 * group-commit.ts) and returns each sender's results in its own event order. Events of one key keep
 * their arrival order (the sort is stable); keys are visited in one global order (see above).
 * Each event is its own statement: a repeated key then updates its row again rather than hitting
 * "ON CONFLICT DO UPDATE command cannot affect row a second time", as one multi-row INSERT would.
 */
export async function applyIngestBatch(
  tx: Transaction<Database>,
  now: Date,
  inputs: readonly IngestInput[],
): Promise<AppliedEvent[][]> {
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
  const results: AppliedEvent[][] = inputs.map(() => []);
  const log: NewRow<'alert_events'>[] = [];
  for (let k = 0; k < items.length; ) {
    const item = items[k] as Item;
    if (item.throttled) {
      let end = k + 1;
      while (end < items.length && items[end]?.throttled && sameKey(items[end] as Item, item)) end++;
      const bumped = await alerts.countRepeats(tx, item.input.integration.service_id, item.key, end - k, now);
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
  await alerts.insertEvents(tx, log);
  return results;
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
    const row = await alerts.upsertTrigger(tx, {
      service_id: serviceId,
      integration_id: integration.id,
      dedup_key: dedupKey,
      status: 'triggered',
      summary: e.summary ?? dedupKey,
      source: e.source ?? '',
      severity: e.severity ?? 'error',
      component: e.component ?? null,
      alert_group: e.group ?? null,
      alert_class: e.class ?? null,
      labels: JSON.stringify(e.labels ?? {}),
      details: JSON.stringify(e.details ?? {}),
      links: JSON.stringify(e.links ?? []),
      images: JSON.stringify(e.images ?? []),
      started_at: e.startedAt ?? null,
      first_seen_at: now,
      last_seen_at: now,
      raw: JSON.stringify(e.raw ?? {}),
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
