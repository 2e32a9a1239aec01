import { Invalid, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as users from './queries.ts';
import { hashToken, newToken, tokenPrefix } from './users.ts';

export interface CreatedToken {
  id: string;
  name: string;
  prefix: string;
  user: string;
  /** Shown once: only its hash is stored. */
  token: string;
  created_at: Date;
}

/** Creates an API token for the caller, or (admin) for another user. */
export async function createToken({
  ctx,
  input,
}: Operation<{
  name: string;
  user?: string | undefined;
  token?: string | undefined;
}>): Promise<CreatedToken> {
  const forOther = input.user !== undefined;
  ctx.require(forOther ? 'token:create-any' : 'token:create-own');
  if (input.name.trim() === '')
    throw new Invalid('token name is empty', [{ path: 'name', message: 'required' }]);
  return ctx.db.transaction().execute(async (tx) => {
    const owner = forOther
      ? await users.findByHandle(tx, input.user as string)
      : ctx.actor.userId
        ? await users.findById(tx, ctx.actor.userId)
        : undefined;
    if (!owner) throw new NotFound('user', input.user ?? ctx.actor.name);
    const token = input.token ?? newToken();
    const now = ctx.clock.now();
    const row = await users.insertToken(tx, {
      user_id: owner.id,
      name: input.name,
      token_hash: hashToken(token),
      prefix: tokenPrefix(token),
      created_at: now,
    });
    await audit.record(tx, ctx.actor, now, {
      action: 'token.created',
      entityType: 'api_token',
      entityId: row.id,
      after: { name: row.name, prefix: row.prefix, user: owner.handle },
    });
    return { ...row, user: owner.handle, token };
  });
}
