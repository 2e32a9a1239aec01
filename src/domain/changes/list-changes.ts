import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as services from '../services/queries.ts';
import { type ListChangesInput, listChangesQuerySchema, parseTimestamp, publicChange } from './changes.ts';
import * as changes from './queries.ts';

/** Recent changes, newest first: of one service, or of all. */
export async function listChanges({ ctx, input }: Operation<ListChangesInput>) {
  ctx.require('read');
  const q = listChangesQuerySchema.parse(input);
  const service = q.service ? await services.findService(ctx.db, q.service) : undefined;
  if (q.service && !service) throw new NotFound('service', q.service);
  const rows = await changes.listChanges(ctx.db, {
    serviceIds: service ? [service.id] : undefined,
    from: q.since ? (parseTimestamp(q.since) ?? undefined) : undefined,
    limit: q.limit,
  });
  return rows.map(publicChange);
}
