import { inTx } from '../../db/tx.ts';
import { Conflict, Invalid } from '../../errors.ts';
import { parseDuration } from '../../lib/duration.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as services from '../services/queries.ts';
import * as watches from './queries.ts';
import { publicVendorWatch, type VendorWatchInput, vendorWatchInputSchema } from './vendor-status.ts';

/** Watches a vendor's status page for a service; the engine reads it at once, then every interval. */
export async function createVendorWatch({ ctx, input }: Operation<VendorWatchInput>) {
  ctx.require('check:write');
  const data = vendorWatchInputSchema.parse(input);
  return inTx(ctx.db, async (tx) => {
    const service = await services.findService(tx, data.service);
    if (!service) {
      throw new Invalid('unknown service', [
        { path: 'service', message: `no service named "${data.service}"` },
      ]);
    }
    if (await watches.findWatch(tx, data.name))
      throw new Conflict(`vendor watch ${data.name} already exists`);
    const now = ctx.clock.now();
    const row = await watches.insertWatch(tx, {
      service_id: service.id,
      name: data.name,
      url: data.url,
      components: JSON.stringify([...new Set(data.components)]),
      interval_ms: parseDuration(data.interval),
      timeout_ms: parseDuration(data.timeout),
      next_run_at: now,
      created_at: now,
      updated_at: now,
    });
    const watch = publicVendorWatch({ ...row, service_name: service.name });
    await audit.record(tx, ctx.actor, now, {
      action: 'vendor_watch.created',
      entityType: 'vendor_watch',
      entityId: row.id,
      after: watch,
    });
    return watch;
  });
}
