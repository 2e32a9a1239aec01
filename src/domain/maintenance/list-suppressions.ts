import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as services from '../services/queries.ts';
import {
  type ListSuppressionsInput,
  listSuppressionsQuerySchema,
  publicSuppression,
  type SuppressionKind,
} from './maintenance.ts';
import * as q from './queries.ts';

/** Maintenance windows or silences, newest start first; by default those not yet over. */
export async function listSuppressions({
  ctx,
  input,
}: Operation<{ kind: SuppressionKind; query: ListSuppressionsInput }>) {
  ctx.require('read');
  const f = listSuppressionsQuerySchema.parse(input.query);
  const service = f.service ? await services.findService(ctx.db, f.service) : undefined;
  if (f.service && !service) throw new NotFound('service', f.service);
  const now = ctx.clock.now();
  const rows = await q.listSuppressions(ctx.db, {
    kind: input.kind,
    state: f.state,
    serviceId: service?.id,
    now,
    limit: f.limit,
    offset: f.offset,
  });
  return rows.map((r) => publicSuppression(r, now));
}
