import { Invalid, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as users from './queries.ts';
import { expiryOf, type PublicToken, publicToken, type TokenInput } from './tokens.ts';
import { hashToken, newToken, tokenPrefix } from './users.ts';

export interface CreatedToken extends PublicToken {
  /** Shown once: only its hash is stored. */
  token: string;
}

/** Creates an API token for the caller, or (admin) for another user; optionally one that expires. */
export async function createToken({
  ctx,
  input,
}: Operation<TokenInput & { token?: string | undefined }>): Promise<CreatedToken> {
  const forOther = input.user !== undefined;
  ctx.require(forOther ? 'token:create-any' : 'token:create-own');
  if (input.name.trim() === '')
    throw new Invalid('token name is empty', [{ path: 'name', message: 'required' }]);
  if (input.expires_in && input.expires_at) {
    throw new Invalid('give expires_in or expires_at, not both', [
      { path: 'expires_at', message: 'expires_in is given already' },
    ]);
  }
  const now = ctx.clock.now();
  const expiresAt = expiryOf(input, now);
  if (expiresAt && expiresAt.getTime() <= now.getTime()) {
    throw new Invalid('the token would be expired already', [
      { path: input.expires_at ? 'expires_at' : 'expires_in', message: 'must lie in the future' },
    ]);
  }
  return ctx.db.transaction().execute(async (tx) => {
    const owner = forOther
      ? await users.findByHandle(tx, input.user as string)
      : ctx.actor.userId
        ? await users.findById(tx, ctx.actor.userId)
        : undefined;
    if (!owner) throw new NotFound('user', input.user ?? ctx.actor.name);
    const token = input.token ?? newToken();
    const row = await users.insertToken(tx, {
      user_id: owner.id,
      name: input.name,
      token_hash: hashToken(token),
      prefix: tokenPrefix(token),
      created_at: now,
      expires_at: expiresAt,
    });
    await audit.record(tx, ctx.actor, now, {
      action: 'token.created',
      entityType: 'api_token',
      entityId: row.id,
      after: { name: row.name, prefix: row.prefix, user: owner.handle, expires_at: expiresAt },
    });
    return { ...publicToken({ ...row, user: owner.handle }, now), token };
  });
}
