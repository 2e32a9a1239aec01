import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as services from '../services/queries.ts';
import { publicCheck } from './checks.ts';
import * as checks from './queries.ts';

/** HTTP checks with their last result: all, or one service's. */
export async function listChecks({ ctx, input }: Operation<{ service?: string | undefined }>) {
  ctx.require('read');
  const service = input.service ? await services.findService(ctx.db, input.service) : undefined;
  if (input.service && !service) throw new NotFound('service', input.service);
  return (await checks.listChecks(ctx.db, service?.id)).map(publicCheck);
}
