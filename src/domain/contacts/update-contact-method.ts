import { inTx } from '../../db/tx.ts';
import { Conflict, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import {
  type ContactMethodPatch,
  contactMethodPatchSchema,
  type PublicContactMethod,
  publicContactMethod,
} from './contacts.ts';
import * as contacts from './queries.ts';
import { targetUser } from './target-user.ts';

/**
 * Relabels, disables or re-enables a method. The address cannot change: a new address is a new method
 * with its own verification (delete this one and add that one).
 */
export async function updateContactMethod({
  ctx,
  input,
}: Operation<{ user: string; id: string; patch: ContactMethodPatch }>): Promise<PublicContactMethod> {
  const patch = contactMethodPatchSchema.parse(input.patch);
  return inTx(ctx.db, async (tx) => {
    const user = await targetUser(ctx, tx, input.user, 'write');
    const methods = await contacts.lockMethods(tx, user.id);
    const before = methods.find((m) => m.id === input.id);
    if (!before) throw new NotFound('contact method', input.id);
    const label = patch.label === undefined ? before.label : patch.label;
    const disabled = patch.disabled ?? before.disabled;
    if (label === before.label && disabled === before.disabled) return publicContactMethod(before);
    if (label !== null && methods.some((m) => m.id !== before.id && m.label === label)) {
      throw new Conflict(`${input.user} already has a contact labelled "${label}"`, [
        { path: 'label', message: 'already used by another contact method of this user' },
      ]);
    }
    const now = ctx.clock.now();
    const after = await contacts.updateMethod(tx, before.id, { label, disabled, updated_at: now });
    await audit.record(tx, ctx.actor, now, {
      action: 'contact_method.updated',
      entityType: 'contact_method',
      entityId: before.id,
      before: { user: user.handle, ...publicContactMethod(before) },
      after: { user: user.handle, ...publicContactMethod(after) },
    });
    return publicContactMethod(after);
  });
}
