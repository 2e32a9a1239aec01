import type { Clock } from '../../db/clock.ts';
import type { Db } from '../../db/schema.ts';
import { type Actor, ANONYMOUS } from '../context.ts';
import * as users from './queries.ts';
import { TokenCache } from './token-cache.ts';
import { hashToken } from './users.ts';

// last_used_at is for people auditing their tokens; minute precision is enough, and skipping the
// write on most requests spares every API call a commit of its own.
const MARK_USED_EVERY_MS = 60_000;

// Found tokens are cached briefly per store (token-cache.ts says how long and what drops them).
const caches = new WeakMap<Db, TokenCache>();

function cacheOf(db: Db): TokenCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new TokenCache();
    caches.set(db, cache);
  }
  return cache;
}

/** The actor behind a bearer token; anonymous when there is none (operations then refuse). */
export async function authenticate(db: Db, clock: Clock, token: string | undefined): Promise<Actor | null> {
  if (!token) return ANONYMOUS;
  const now = clock.now();
  const hash = hashToken(token);
  const cache = cacheOf(db);
  const cached = cache.get(hash, now);
  if (cached) return cached.actor;
  const epoch = cache.epoch();
  const user = await users.userByTokenHash(db, hash, now);
  if (!user) return null;
  if (!user.last_used_at || now.getTime() - user.last_used_at.getTime() >= MARK_USED_EVERY_MS) {
    await users.markTokenUsed(db, user.token_id, now);
  }
  const actor: Actor = {
    kind: 'user',
    userId: user.id,
    name: user.handle,
    role: user.role,
    leadership: user.leadership,
  };
  cache.set(
    hash,
    { actor, tokenId: user.token_id, lastUsedAt: now, expiresAt: user.expires_at, cachedAt: now.getTime() },
    epoch,
  );
  return actor;
}
