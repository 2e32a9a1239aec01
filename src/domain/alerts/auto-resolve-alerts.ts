import type { Executor } from '../../db/schema.ts';
import { parseDuration } from '../../lib/duration.ts';
import { SYSTEM_ACTOR } from '../context.ts';
import * as services from '../services/queries.ts';
import { serviceRulesSchema } from '../services/services.ts';
import * as alerts from './queries.ts';

/** Alerts resolved per service and tick: a backlog is worked off over several ticks. */
const BATCH = 500;

/**
 * Resolves open alerts that were not seen again for their service's `rules.autoResolve` (senders
 * that never send a resolve: email, some webhooks). Each gets an `auto_resolve` event by tocsin.
 * Returns how many alerts it resolved.
 */
export async function autoResolveAlerts({ tx, now }: { tx: Executor; now: Date }): Promise<number> {
  let resolved = 0;
  for (const service of await services.listServices(tx)) {
    const rules = serviceRulesSchema.safeParse(service.rules);
    const after = rules.success ? rules.data.autoResolve : undefined;
    if (!after) continue;
    const cutoff = new Date(now.getTime() - parseDuration(after));
    const rows = await alerts.resolveStale(tx, { serviceId: service.id, cutoff, now, limit: BATCH });
    await alerts.insertEvents(
      tx,
      rows.map((r) => ({
        alert_id: r.id,
        at: now,
        kind: 'auto_resolve',
        actor: SYSTEM_ACTOR.name,
        data: JSON.stringify({ auto_resolve: after, last_seen_at: r.last_seen_at }),
      })),
    );
    resolved += rows.length;
  }
  return resolved;
}
