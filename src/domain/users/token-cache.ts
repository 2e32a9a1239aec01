import type { Actor } from '../context.ts';

// Bearer tokens looked up once per TOKEN_CACHE_MS, not on every request: an API call then spends no
// round trip on its token (issue 14, incident writes). The bound on staleness is what makes it safe:
// - a token revoked, a user deactivated or a role changed on ANOTHER instance (or by SQL) stops
//   working within TOKEN_CACHE_MS, read on the one clock;
// - on THIS instance any audited change of a user, token or team (audit.auditRowOf calls
//   tokensChanged) drops every cached token at once, so revoking through the API or CLI of the same
//   process applies to the very next request — and for TOKEN_CACHE_MS after such a change nothing is
//   cached, since the change is seen when its audit row is built, before its transaction commits: a
//   request in between still reads the old row, and must not keep it;
// - an expiring token is never served past its expires_at.
// Only tokens that were found are cached: an unknown token is looked up each time (and counted by the
// auth-failure limiter).

export const TOKEN_CACHE_MS = 5_000;
const MAX_ENTRIES = 1_000;

export interface CachedToken {
  actor: Actor;
  tokenId: string;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  cachedAt: number;
  epoch: number;
}

let epoch = 0;
/**
 * When (the clock's ms) the latest token change was seen; it may not have committed yet. Nothing read
 * within TOKEN_CACHE_MS of it is cached — on either side: a recalibrated clock may step back a little,
 * and test files sharing this module run clocks years apart, which must not stop each other's caching.
 */
let lastChangeAt = Number.NaN;

/** Something that changes what a token stands for is being written at `at`: forget every cached token. */
export function tokensChanged(at: Date): void {
  epoch++;
  lastChangeAt = at.getTime();
}

/** Entity types whose audited changes can change what a bearer token stands for. */
const TOKEN_ENTITIES = new Set(['user', 'api_token', 'team']);

/** Called for every audit entry: a change of a user, token or team drops the cache. */
export function noteAuditedChange(entityType: string, at: Date): void {
  if (TOKEN_ENTITIES.has(entityType)) tokensChanged(at);
}

/** One cache per store (a process may serve several databases: tests, drills). */
export class TokenCache {
  private readonly entries = new Map<string, CachedToken>();

  get(hash: string, now: Date): CachedToken | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    const t = now.getTime();
    const fresh =
      entry.epoch === epoch &&
      t - entry.cachedAt < TOKEN_CACHE_MS &&
      t >= entry.cachedAt &&
      (entry.expiresAt === null || entry.expiresAt.getTime() > t);
    if (fresh) return entry;
    this.entries.delete(hash);
    return undefined;
  }

  /** The epoch to pass to set(): read BEFORE the lookup, so a change made during it is not cached over. */
  epoch(): number {
    return epoch;
  }

  set(hash: string, entry: Omit<CachedToken, 'epoch'>, readAt: number): void {
    if (readAt !== epoch || Math.abs(entry.cachedAt - lastChangeAt) < TOKEN_CACHE_MS) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(hash, { ...entry, epoch: readAt });
  }
}
