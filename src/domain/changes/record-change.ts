import { inTx } from '../../db/tx.ts';
import { Invalid, NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as services from '../services/queries.ts';
import { type ChangeEvent, deploySummary, publicChange } from './changes.ts';
import * as changes from './queries.ts';

export interface RecordChangeInput {
  /** The integration key the sender used. */
  key: string;
  /** The integration type the endpoint serves: pagerduty (/v2/change/enqueue) or deploy (webhook). */
  type: 'pagerduty' | 'deploy';
  change: ChangeEvent;
}

/**
 * Stores a change of the service behind an integration key (or of the service the change names).
 * The key authenticates the sender, as for inbound alerts: no permission is required and changes are
 * not audited (they are a log of their own).
 */
export async function recordChange({ ctx, input }: Operation<RecordChangeInput>) {
  return inTx(ctx.db, async (tx) => {
    const integration = await services.integrationByKey(tx, input.key);
    if (integration?.type !== input.type) {
      throw new NotFound('integration', `${input.type}/${input.key.slice(0, 4)}…`);
    }
    let service = { id: integration.service_id, name: integration.service_name };
    const named = input.change.service;
    if (named !== undefined && named !== service.name) {
      const other = await services.findService(tx, named);
      if (!other) {
        throw new Invalid('unknown service', [{ path: 'service', message: `no service named "${named}"` }]);
      }
      service = { id: other.id, name: other.name };
    }
    const c = input.change;
    const now = ctx.clock.now();
    const row = await changes.insertChange(tx, {
      service_id: service.id,
      integration_id: integration.id,
      summary: c.summary || deploySummary(service.name, c.version, c.environment),
      source: c.source || integration.name,
      version: c.version,
      environment: c.environment,
      happened_at: c.happenedAt ?? now,
      received_at: now,
      details: JSON.stringify(c.details ?? {}),
      links: JSON.stringify(c.links),
      raw: JSON.stringify(c.raw ?? {}),
    });
    return publicChange({ ...row, service_name: service.name });
  });
}
