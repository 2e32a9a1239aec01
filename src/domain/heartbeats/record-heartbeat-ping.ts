import type { HeartbeatState } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { NotFound } from '../../errors.ts';
import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import type { Operation } from '../context.ts';
import * as services from '../services/queries.ts';
import { expectedBy, heartbeatConfigSchema, heartbeatDedupKey } from './heartbeats.ts';
import * as heartbeats from './queries.ts';

export interface HeartbeatPing {
  name: string;
  service: string;
  /** The state before this ping ('down' means this ping resolved the heartbeat's alert). */
  previous: HeartbeatState;
  last_ping_at: Date;
  /** The next ping is due by then, or the heartbeat counts as silent. */
  expected_by: Date | null;
}

/**
 * Records a ping of the heartbeat behind a key. A ping that ends a silence resolves the silence's
 * alert in the same transaction, so the answer means both are stored. The key authenticates the
 * sender, as for other inbound integrations: no permission is required, and pings are not audited
 * (a cron job pinging every minute would drown the audit log).
 */
export async function recordHeartbeatPing({
  ctx,
  input,
}: Operation<{ key: string }>): Promise<HeartbeatPing> {
  return inTx(ctx.db, async (tx) => {
    const integration = await services.integrationByKey(tx, input.key);
    if (integration?.type !== 'heartbeat') {
      throw new NotFound('heartbeat', `${input.key.slice(0, 4)}…`);
    }
    const now = ctx.clock.now();
    // Locked before reading the state: the engine marking this heartbeat down waits for us, or we
    // for it, so a ping never misses the alert of a silence that is being raised right now.
    const before = await heartbeats.lockOrCreate(tx, integration.id, now);
    const after = await heartbeats.recordPing(tx, integration.id, now);
    if (before.state === 'down') {
      await ingestAlertEvents({
        ctx: { ...ctx, db: tx },
        input: {
          integration,
          events: [
            {
              action: 'resolve',
              dedupKey: heartbeatDedupKey(integration.name),
              raw: { heartbeat: integration.name, ping_at: now.toISOString() },
            },
          ],
        },
      });
    }
    const config = heartbeatConfigSchema.safeParse(integration.config);
    return {
      name: integration.name,
      service: integration.service_name,
      previous: before.state,
      last_ping_at: now,
      expected_by: config.success && after.last_ping_at ? expectedBy(after.last_ping_at, config.data) : null,
    };
  });
}
