import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as users from './queries.ts';
import { type PublicToken, publicToken } from './tokens.ts';

/** The caller's API tokens, or (admin) another user's; never the tokens themselves. */
export async function listTokens({
  ctx,
  input,
}: Operation<{ user?: string | undefined }>): Promise<PublicToken[]> {
  const forOther = input.user !== undefined && input.user !== ctx.actor.name;
  ctx.require(forOther ? 'token:manage-any' : 'token:create-own');
  const owner = forOther
    ? await users.findByHandle(ctx.db, input.user as string)
    : ctx.actor.userId
      ? await users.findById(ctx.db, ctx.actor.userId)
      : undefined;
  if (!owner) throw new NotFound('user', input.user ?? ctx.actor.name);
  return (await users.listTokens(ctx.db, owner.id)).map((row) => publicToken(row, ctx.clock.now()));
}
