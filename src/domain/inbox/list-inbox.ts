import { Invalid } from '../../errors.ts';
import type { Ctx, Operation } from '../context.ts';
import { mayViewIncidentId } from '../incidents/confidential.ts';
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
  const items = await q.listItems(ctx.db, inboxOwner(ctx), input);
  // A confidential incident the reader may no longer see (e.g. made confidential later) is left out.
  const now = ctx.clock.now();
  const shown: InboxItem[] = [];
  for (const item of items) {
    if (await mayViewIncidentId(ctx.db, item.incident_id, ctx.actor, now)) shown.push(item);
  }
  return shown;
}
