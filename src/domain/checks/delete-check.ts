import { inTx } from '../../db/tx.ts';
import { NotFound } from '../../errors.ts';
import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { checkDedupKey, publicCheck } from './checks.ts';
import * as checks from './queries.ts';

/**
 * Deletes an HTTP check. Its open alert, if any, is resolved in the same transaction: nothing would
 * ever resolve it otherwise. A run in flight finds the check gone and records nothing.
 */
export async function deleteCheck({ ctx, input }: Operation<{ name: string }>) {
  ctx.require('check:write');
  return inTx(ctx.db, async (tx) => {
    const before = await checks.lockCheck(tx, input.name);
    if (!before) throw new NotFound('check', input.name);
    await checks.deleteCheck(tx, before.id);
    await ingestAlertEvents({
      ctx: { ...ctx, db: tx },
      input: {
        integration: { id: null, service_id: before.service_id, name: before.name, type: 'check' },
        events: [
          {
            action: 'resolve',
            dedupKey: checkDedupKey(before.name),
            raw: { check: before.name, deleted: true },
          },
        ],
      },
    });
    const check = publicCheck(before);
    await audit.record(tx, ctx.actor, ctx.clock.now(), {
      action: 'check.deleted',
      entityType: 'check',
      entityId: before.id,
      before: check,
    });
    return check;
  });
}
