import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { type InboxItem, inboxIdSchema } from './inbox.ts';
import { inboxOwner } from './list-inbox.ts';
import * as q from './queries.ts';

/** Marks one of the caller's inbox items read; reading it again keeps the first time. */
export async function markInboxItemRead({ ctx, input }: Operation<{ id: string }>): Promise<InboxItem> {
  ctx.require('read');
  const owner = inboxOwner(ctx);
  const id = inboxIdSchema.safeParse(input.id);
  // Someone else's item is as unknown to the caller as a missing one.
  const item = id.success ? await q.markRead(ctx.db, owner, id.data, ctx.clock.now()) : undefined;
  if (!item) throw new NotFound('inbox item', input.id);
  return item;
}
