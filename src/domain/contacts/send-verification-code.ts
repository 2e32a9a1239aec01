import { inTx } from '../../db/tx.ts';
import { Conflict, NotFound, RateLimited } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { type PublicContactMethod, publicContactMethod, RESEND_INTERVAL_MS } from './contacts.ts';
import { issueCode } from './issue-code.ts';
import * as contacts from './queries.ts';
import { targetUser } from './target-user.ts';

/**
 * Sends a new code to an unverified method (the old one stops working). At most once a minute per
 * method, so the endpoint cannot be used to flood someone's phone.
 */
export async function sendVerificationCode({
  ctx,
  input,
}: Operation<{ user: string; id: string }>): Promise<PublicContactMethod> {
  return inTx(ctx.db, async (tx) => {
    const user = await targetUser(ctx, tx, input.user, 'write');
    const before = await contacts.lockMethod(tx, user.id, input.id);
    if (!before) throw new NotFound('contact method', input.id);
    if (before.verified_at) throw new Conflict(`contact method ${before.id} is already verified`);
    const now = ctx.clock.now();
    const sentAt = before.code_sent_at?.getTime();
    if (sentAt !== undefined && now.getTime() - sentAt < RESEND_INTERVAL_MS) {
      const wait = Math.ceil((sentAt + RESEND_INTERVAL_MS - now.getTime()) / 1000);
      throw new RateLimited(`a code was sent less than a minute ago; ask again in ${wait}s`);
    }
    const after = await issueCode(tx, before, now);
    await audit.record(tx, ctx.actor, now, {
      action: 'contact_method.code_sent',
      entityType: 'contact_method',
      entityId: before.id,
      after: {
        user: user.handle,
        kind: after.kind,
        address: after.address,
        expires_at: after.code_expires_at,
      },
    });
    return publicContactMethod(after);
  });
}
