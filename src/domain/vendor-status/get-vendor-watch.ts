import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as watches from './queries.ts';
import { publicVendorWatch } from './vendor-status.ts';

export async function getVendorWatch({ ctx, input }: Operation<{ name: string }>) {
  ctx.require('read');
  const watch = await watches.findWatch(ctx.db, input.name);
  if (!watch) throw new NotFound('vendor watch', input.name);
  return publicVendorWatch(watch);
}
