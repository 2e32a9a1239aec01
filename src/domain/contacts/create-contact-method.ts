import { inTx } from '../../db/tx.ts';
import { Conflict } from '../../errors.ts';
import { verificationRefusals } from '../../lib/counters.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import {
  type ContactMethodInput,
  contactMethodInputSchema,
  MAX_CONTACT_METHODS,
  normalizeAddress,
  type PublicContactMethod,
  publicContactMethod,
} from './contacts.ts';
import { issueCode } from './issue-code.ts';
import * as contacts from './queries.ts';
import { targetUser } from './target-user.ts';

/**
 * Adds a contact method to a user, unverified, and queues a verification code to it in the same
 * transaction. It pages nobody until the code comes back (verify-contact-method.ts).
 */
export async function createContactMethod({
  ctx,
  input,
}: Operation<{ user: string; method: ContactMethodInput }>): Promise<PublicContactMethod> {
  const data = contactMethodInputSchema.parse(input.method);
  return inTx(ctx.db, async (tx) => {
    const user = await targetUser(ctx, tx, input.user, 'write');
    const now = ctx.clock.now();
    const address = normalizeAddress(data.kind, data.address);
    const existing = await contacts.lockMethods(tx, user.id);
    if (existing.length >= MAX_CONTACT_METHODS) {
      verificationRefusals.inc({ reason: 'too_many_methods' });
      throw new Conflict(`${input.user} has ${existing.length} contact methods, the most one user may have`, [
        {
          path: 'address',
          message: `at most ${MAX_CONTACT_METHODS} contact methods per user: remove one first`,
        },
      ]);
    }
    if (existing.some((m) => m.kind === data.kind && m.address === address)) {
      throw new Conflict(`${input.user} already has ${data.kind} ${address}`, [
        { path: 'address', message: 'already a contact method of this user' },
      ]);
    }
    if (data.label && existing.some((m) => m.label === data.label)) {
      throw new Conflict(`${input.user} already has a contact labelled "${data.label}"`, [
        { path: 'label', message: 'already used by another contact method of this user' },
      ]);
    }
    const created = await contacts.insertMethod(tx, {
      user_id: user.id,
      kind: data.kind,
      address,
      label: data.label ?? null,
      created_at: now,
      updated_at: now,
    });
    const withCode = await issueCode(tx, created, now);
    const after = publicContactMethod(withCode);
    await audit.record(tx, ctx.actor, now, {
      action: 'contact_method.created',
      entityType: 'contact_method',
      entityId: created.id,
      after: { user: user.handle, ...after },
    });
    return after;
  });
}
