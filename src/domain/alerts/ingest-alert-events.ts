import type { Executor, NewRow } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import type { Ctx } from '../context.ts';
import type { Integration } from '../services/services.ts';
import { type InboundAlertEvent, type IngestResult, MAX_DEDUP_KEY } from './alerts.ts';
import * as alerts from './queries.ts';

export interface IngestInput {
  integration: Pick<Integration, 'id' | 'service_id' | 'name' | 'type'>;
  events: InboundAlertEvent[];
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
    const now = ctx.clock.now();
    const actor = `integration:${input.integration.name}`;
    const results: IngestResult[] = [];
    const events: NewRow<'alert_events'>[] = [];
    for (const event of input.events) {
      const result = await applyEvent(tx, input.integration, event, now);
      results.push(result);
      if (result.alert_id && result.outcome !== 'ignored') {
        events.push({
          alert_id: result.alert_id,
          at: now,
          kind: result.outcome === 'deduplicated' ? 'repeat' : event.action,
          actor,
          // Repeats (Alertmanager re-sends whole groups) would bloat the log; the alert keeps the latest.
          data: JSON.stringify(result.outcome === 'deduplicated' ? {} : { raw: event.raw }),
        });
      }
    }
    await alerts.insertEvents(tx, events);
    return results;
  });
}

async function applyEvent(
  tx: Executor,
  integration: IngestInput['integration'],
  e: InboundAlertEvent,
  now: Date,
): Promise<IngestResult> {
  const dedupKey = e.dedupKey.slice(0, MAX_DEDUP_KEY);
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
