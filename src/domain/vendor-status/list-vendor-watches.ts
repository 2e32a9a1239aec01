import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as services from '../services/queries.ts';
import * as watches from './queries.ts';
import { publicVendorWatch } from './vendor-status.ts';

/** Vendor status watches with what they last read: all, or one service's. */
export async function listVendorWatches({ ctx, input }: Operation<{ service?: string | undefined }>) {
  ctx.require('read');
  const service = input.service ? await services.findService(ctx.db, input.service) : undefined;
  if (input.service && !service) throw new NotFound('service', input.service);
  return (await watches.listWatches(ctx.db, service?.id)).map(publicVendorWatch);
}
