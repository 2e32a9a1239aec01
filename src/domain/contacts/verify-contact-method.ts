import { inTx } from '../../db/tx.ts';
import { Invalid, NotFound, RateLimited } from '../../errors.ts';
import { verificationRefusals } from '../../lib/counters.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import {
  codeMatches,
  MAX_CODE_ATTEMPTS,
  type PublicContactMethod,
  publicContactMethod,
  verifyInputSchema,
} from './contacts.ts';
import * as contacts from './queries.ts';
import { targetUser } from './target-user.ts';

type Outcome =
  | { ok: true; method: PublicContactMethod }
  | { ok: false; reason: 'none' | 'expired' | 'exhausted' | 'wrong'; left: number };

/**
 * Checks a code typed back by the method's owner. A wrong code counts against the method (and that
 * count is committed: the refusal is raised only after the transaction), five wrong codes or an expired
 * one need a new code. A method already verified stays verified: a repeat is not an error.
 */
export async function verifyContactMethod({
  ctx,
  input,
}: Operation<{ user: string; id: string; code: string }>): Promise<PublicContactMethod> {
  const { code } = verifyInputSchema.parse({ code: input.code });
  const outcome = await inTx(ctx.db, async (tx): Promise<Outcome> => {
    const user = await targetUser(ctx, tx, input.user, 'write');
    const before = await contacts.lockMethod(tx, user.id, input.id);
    if (!before) throw new NotFound('contact method', input.id);
    if (before.verified_at) return { ok: true, method: publicContactMethod(before) };
    const now = ctx.clock.now();
    if (!before.code_hash || !before.code_expires_at) return { ok: false, reason: 'none', left: 0 };
    if (before.code_attempts >= MAX_CODE_ATTEMPTS) return { ok: false, reason: 'exhausted', left: 0 };
    if (before.code_expires_at.getTime() <= now.getTime()) return { ok: false, reason: 'expired', left: 0 };
    const entity = { entityType: 'contact_method', entityId: before.id };
    if (!codeMatches(before.code_hash, code)) {
      const attempts = before.code_attempts + 1;
      await contacts.updateMethod(tx, before.id, { code_attempts: attempts, updated_at: now });
      await audit.record(tx, ctx.actor, now, {
        action: 'contact_method.verification_failed',
        ...entity,
        after: { user: user.handle, attempts },
      });
      return { ok: false, reason: 'wrong', left: MAX_CODE_ATTEMPTS - attempts };
    }
    const after = await contacts.updateMethod(tx, before.id, {
      verified_at: now,
      code_hash: null,
      code_expires_at: null,
      code_attempts: 0,
      updated_at: now,
    });
    const method = publicContactMethod(after);
    await audit.record(tx, ctx.actor, now, {
      action: 'contact_method.verified',
      ...entity,
      before: { user: user.handle, ...publicContactMethod(before) },
      after: { user: user.handle, ...method },
    });
    return { ok: true, method };
  });
  if (outcome.ok) return outcome.method;
  if (outcome.reason === 'wrong' || outcome.reason === 'exhausted') {
    verificationRefusals.inc({ reason: outcome.reason === 'wrong' ? 'wrong_code' : 'exhausted' });
  }
  throw refusal(outcome.reason, outcome.left);
}

function refusal(reason: 'none' | 'expired' | 'exhausted' | 'wrong', left: number) {
  const newCode = 'request a new code (POST …/send-code)';
  switch (reason) {
    case 'wrong':
      return new Invalid('wrong verification code', [
        {
          path: 'code',
          message: left > 0 ? `wrong code; ${left} tries left` : `wrong code; no tries left: ${newCode}`,
        },
      ]);
    case 'expired':
      return new Invalid('the verification code expired', [{ path: 'code', message: `expired: ${newCode}` }]);
    case 'exhausted':
      return new RateLimited(`too many wrong codes: ${newCode}`, [
        { path: 'code', message: `${MAX_CODE_ATTEMPTS} wrong tries: ${newCode}` },
      ]);
    case 'none':
      return new Invalid('no verification code is outstanding', [{ path: 'code', message: newCode }]);
  }
}
