import { inTx } from '../../db/tx.ts';
import { NotFound } from '../../errors.ts';
import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as watches from './queries.ts';
import { publicVendorWatch, vendorDedupKey } from './vendor-status.ts';

/**
 * Stops watching a vendor. The watch's open alerts are resolved in the same transaction: nothing
 * would ever resolve them otherwise. A run in flight finds the watch gone and records nothing.
 */
export async function deleteVendorWatch({ ctx, input }: Operation<{ name: string }>) {
  ctx.require('check:write');
  return inTx(ctx.db, async (tx) => {
    const before = await watches.lockWatch(tx, input.name);
    if (!before) throw new NotFound('vendor watch', input.name);
    await watches.deleteWatch(tx, before.id);
    const components = Object.keys(before.component_status);
    if (components.length > 0) {
      await ingestAlertEvents({
        ctx: { ...ctx, db: tx },
        input: {
          integration: { id: null, service_id: before.service_id, name: before.name, type: 'vendor' },
          events: components.map((component) => ({
            action: 'resolve' as const,
            dedupKey: vendorDedupKey(before.name, component),
            raw: { vendor_watch: before.name, component, deleted: true },
          })),
        },
      });
    }
    const watch = publicVendorWatch(before);
    await audit.record(tx, ctx.actor, ctx.clock.now(), {
      action: 'vendor_watch.deleted',
      entityType: 'vendor_watch',
      entityId: before.id,
      before: watch,
    });
    return watch;
  });
}
