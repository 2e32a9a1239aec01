import type { Operation } from '../context.ts';
import { type ListSubscribersInput, listSubscribersInputSchema } from './inputs.ts';
import * as q from './queries.ts';

/** Subscribers, newest first: managers only (addresses are personal data). */
export async function listSubscribers({ ctx, input }: Operation<ListSubscribersInput>) {
  ctx.require('status-page:write');
  const filter = listSubscribersInputSchema.parse(input);
  const rows = await q.listSubscribers(ctx.db, filter);
  return rows.map((r) => ({
    id: r.id,
    mode: r.kind,
    address: r.address,
    language: r.language,
    status: r.status,
    components: r.components,
    created_at: r.created_at,
    confirmed_at: r.confirmed_at,
    unsubscribed_at: r.unsubscribed_at,
  }));
}
