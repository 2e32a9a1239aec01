import { inTx } from '../../db/tx.ts';
import { NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as services from './queries.ts';
import { type Integration, newIntegrationKey } from './services.ts';

/** Replaces an integration's key; senders using the old key are refused from now on. */
export async function rotateIntegrationKey({
  ctx,
  input,
}: Operation<{ service: string; integration: string }>): Promise<Integration> {
  ctx.require('service:write');
  return inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const service = await services.findService(tx, input.service);
    if (!service) throw new NotFound('service', input.service);
    const before = await services.findIntegration(tx, service.id, input.integration);
    if (!before) throw new NotFound('integration', `${input.service}/${input.integration}`);
    const after = await services.updateIntegration(tx, before.id, {
      key: newIntegrationKey(),
      rotated_at: now,
    });
    await audit.record(tx, ctx.actor, now, {
      action: 'integration.key_rotated',
      entityType: 'integration',
      entityId: after.id,
      after: { service: service.name, name: after.name },
    });
    return after;
  });
}
