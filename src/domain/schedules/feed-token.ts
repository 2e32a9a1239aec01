import { randomBytes } from 'node:crypto';
import type { Executor } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { Forbidden, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Actor, Operation, Role } from '../context.ts';
import * as users from '../users/queries.ts';
import { hashToken } from '../users/users.ts';
import * as schedules from './queries.ts';

// Calendar apps cannot send an Authorization header, so feed URLs carry a secret: one feed token per
// user, random, stored only as its SHA-256 (like API tokens). It is not an API token: it opens the
// read-only iCal feeds and nothing else, so a calendar URL that leaks exposes on-call times only.
// Creating a new one replaces (revokes) the previous one.

export const FEED_TOKEN_PREFIX = 'tcf_';

export interface FeedToken {
  user: string;
  token: string;
  created_at: string;
}

/** Issues a new feed token for a user (yourself, or anyone for an admin); the old one stops working. */
export async function rotateFeedToken({ ctx, input }: Operation<{ user: string }>): Promise<FeedToken> {
  ctx.require('token:create-own');
  return inTx(ctx.db, async (tx) => {
    const user = await users.findByHandle(tx, input.user);
    if (!user) throw new NotFound('user', input.user);
    if (String(user.id) !== String(ctx.actor.userId) && !ctx.can('token:create-any')) {
      throw new Forbidden(`only ${input.user} or an admin may create ${input.user}'s feed token`);
    }
    const token = FEED_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = ctx.clock.now();
    await schedules.replaceFeedToken(tx, user.id, hashToken(token), now);
    await audit.record(tx, ctx.actor, now, {
      action: 'feed_token.created',
      entityType: 'user',
      entityId: user.handle,
    });
    return { user: user.handle, token, created_at: now.toISOString() };
  });
}

/** The actor a feed token stands for, or undefined when it is not a live feed token. */
export async function feedTokenActor(db: Executor, token: string): Promise<Actor | undefined> {
  if (!token.startsWith(FEED_TOKEN_PREFIX)) return undefined;
  const user = await schedules.userByFeedTokenHash(db, hashToken(token));
  if (!user) return undefined;
  return {
    kind: 'user',
    userId: String(user.id),
    name: user.handle,
    role: user.role as Role,
    leadership: user.leadership,
  };
}
