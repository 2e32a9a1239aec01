import { inTx } from '../../db/tx.ts';
import { NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { type PublicContactMethod, publicContactMethod } from './contacts.ts';
import * as contacts from './queries.ts';
import { targetUser } from './target-user.ts';

/** Deletes a method; the rules that used it go with it (the audit row lists them). */
export async function deleteContactMethod({
  ctx,
  input,
}: Operation<{ user: string; id: string }>): Promise<PublicContactMethod> {
  return inTx(ctx.db, async (tx) => {
    const user = await targetUser(ctx, tx, input.user, 'write');
    const before = await contacts.lockMethod(tx, user.id, input.id);
    if (!before) throw new NotFound('contact method', input.id);
    const rules = await contacts.rulesOfMethod(tx, before.id);
    await contacts.deleteMethod(tx, before.id);
    const method = publicContactMethod(before);
    await audit.record(tx, ctx.actor, ctx.clock.now(), {
      action: 'contact_method.deleted',
      entityType: 'contact_method',
      entityId: before.id,
      before: { user: user.handle, ...method, rules },
    });
    return method;
  });
}
