import type { Operation } from '../context.ts';
import * as services from './queries.ts';

export async function listServices({ ctx }: Operation<void>) {
  ctx.require('read');
  return services.listServices(ctx.db);
}
