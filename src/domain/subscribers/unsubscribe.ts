import { inTx } from '../../db/tx.ts';
import { Invalid, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { INVALID_LINK } from './confirm-subscription.ts';
import { tokenInputSchema } from './inputs.ts';
import * as q from './queries.ts';
import { hashLinkToken } from './subscribers.ts';

/** Follows the unsubscribe link of a notice (public). Following it again is not an error. */
export async function unsubscribe({ ctx, input }: Operation<{ token: string }>) {
  const { token } = tokenInputSchema.parse(input);
  return inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const subscriber = await q.subscriberOfToken(tx, hashLinkToken(token), 'unsubscribe', now);
    if (!subscriber) throw new Invalid('this link is not valid', [INVALID_LINK]);
    return endSubscription(tx, ctx, subscriber, now, 'status_page.subscriber_unsubscribed');
  });
}

/** An admin removes a subscriber (they get nothing more; the row stays for the audit trail). */
export async function removeSubscriber({ ctx, input }: Operation<{ id: string }>) {
  ctx.require('status-page:write');
  return inTx(ctx.db, async (tx) => {
    const subscriber = /^[1-9][0-9]{0,17}$/.test(input.id) ? await q.findSubscriber(tx, input.id) : undefined;
    if (!subscriber) throw new NotFound('subscriber', input.id);
    return endSubscription(tx, ctx, subscriber, ctx.clock.now(), 'status_page.subscriber_removed');
  });
}

async function endSubscription(
  tx: Parameters<typeof q.findSubscriber>[0],
  ctx: Operation<unknown>['ctx'],
  subscriber: { id: string; status: string },
  now: Date,
  action: string,
) {
  if (subscriber.status === 'unsubscribed') return subscriber;
  const after = await q.setSubscriberStatus(tx, subscriber.id, 'unsubscribed', now, ['pending', 'active']);
  await q.deleteTokens(tx, subscriber.id, 'confirm');
  await audit.record(tx, ctx.actor, now, {
    action,
    entityType: 'status_page_subscriber',
    entityId: subscriber.id,
    before: { status: subscriber.status },
    after: { status: 'unsubscribed' },
  });
  return after ?? subscriber;
}
