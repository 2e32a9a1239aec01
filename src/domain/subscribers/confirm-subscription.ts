import { inTx } from '../../db/tx.ts';
import { Invalid } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { tokenInputSchema } from './inputs.ts';
import * as q from './queries.ts';
import { hashLinkToken } from './subscribers.ts';

export const INVALID_LINK = { path: 'token', message: 'unknown, used or expired' };

/** Follows an email confirmation link (public): the subscriber becomes active; the link is used up. */
export async function confirmSubscription({ ctx, input }: Operation<{ token: string }>) {
  const { token } = tokenInputSchema.parse(input);
  return inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const subscriber = await q.subscriberOfToken(tx, hashLinkToken(token), 'confirm', now);
    if (subscriber?.status !== 'pending') throw new Invalid('this link is not valid', [INVALID_LINK]);
    const after = await q.setSubscriberStatus(tx, subscriber.id, 'active', now, ['pending']);
    await q.deleteTokens(tx, subscriber.id, 'confirm');
    await audit.record(tx, ctx.actor, now, {
      action: 'status_page.subscriber_confirmed',
      entityType: 'status_page_subscriber',
      entityId: subscriber.id,
      before: { status: subscriber.status },
      after: { status: after?.status },
    });
    return after ?? subscriber;
  });
}
