import { Invalid } from '../../errors.ts';
import type { Ctx, Operation } from '../context.ts';
import type { InboxItem } from './inbox.ts';
import * as q from './queries.ts';

/** The caller's own user id: an inbox belongs to a person, not to the system actor. */
export function inboxOwner(ctx: Ctx): string {
  if (!ctx.actor.userId) throw new Invalid(`${ctx.actor.name} is not a person and has no inbox`);
  return ctx.actor.userId;
}

/** The caller's notifications, newest first. */
export async function listInbox({
  ctx,
  input,
}: Operation<{ unread: boolean; limit: number }>): Promise<InboxItem[]> {
  ctx.require('read');
  return q.listItems(ctx.db, inboxOwner(ctx), input);
}
