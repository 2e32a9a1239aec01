import type { Logger } from 'pino';
import type { Clock } from '../../db/clock.ts';
import type { Executor } from '../../db/schema.ts';
import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { expectedBy, heartbeatConfigSchema, heartbeatDedupKey, silentSummary } from './heartbeats.ts';
import * as heartbeats from './queries.ts';

export interface CheckHeartbeatsEnv {
  /** The engine tick's transaction (held under the module's advisory lock). */
  tx: Executor;
  clock: Clock;
  now: Date;
  log?: Logger | undefined;
}

/**
 * Raises an alert for every heartbeat silent for longer than its interval plus grace, once per
 * silence: the heartbeat is marked down by a conditional update, and only the call that made that
 * change raises the alert. Returns how many heartbeats went down.
 */
export async function checkHeartbeats(env: CheckHeartbeatsEnv): Promise<number> {
  let down = 0;
  for (const h of await heartbeats.listWatched(env.tx)) {
    const config = heartbeatConfigSchema.safeParse(h.config);
    if (!config.success) {
      // Only integrations stored before heartbeat configs were checked can get here; skip, loudly.
      env.log?.warn({ integration: h.id }, 'heartbeat without a valid interval; not watched');
      continue;
    }
    const since = h.last_ping_at ?? h.created_at;
    if (expectedBy(since, config.data) >= env.now) continue;
    const marked = await heartbeats.markDown(env.tx, {
      integrationId: h.id,
      createdAt: h.created_at,
      since,
      now: env.now,
    });
    if (!marked) continue;
    await ingestAlertEvents({
      ctx: makeCtx({ db: env.tx, clock: env.clock, log: env.log }, SYSTEM_ACTOR),
      input: {
        integration: h,
        events: [
          {
            action: 'trigger',
            dedupKey: heartbeatDedupKey(h.name),
            summary: silentSummary(h.name, h.service_name, since),
            source: 'tocsin heartbeat',
            severity: 'error',
            details: {
              last_ping_at: h.last_ping_at?.toISOString() ?? null,
              interval: config.data.interval,
              grace: config.data.grace,
              expected_by: expectedBy(since, config.data).toISOString(),
            },
            startedAt: expectedBy(since, config.data),
            raw: { heartbeat: h.name, silent_since: since.toISOString() },
          },
        ],
      },
    });
    down++;
  }
  return down;
}
