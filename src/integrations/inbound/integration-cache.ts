import type { Db } from '../../db/schema.ts';
import * as services from '../../domain/services/queries.ts';

type Found = NonNullable<Awaited<ReturnType<typeof services.integrationByKey>>>;

// Inbound key → integration, kept for a few seconds so a flood of alerts does not cost one lookup
// per request. Staleness is safe: the group commit re-checks every key inside its write transaction
// (group-commit.ts), so a rotated or disabled key is refused at once, and a hit here only saves the
// lookup. Unknown keys are not cached: a key created a moment ago must work on its first request.
// Real time (performance.now), not the business clock: this is a cache, not a rule.
const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

export class IntegrationCache {
  private readonly entries = new Map<string, { at: number; value: Promise<Found | undefined> }>();

  constructor(private readonly db: Db) {}

  get(key: string): Promise<Found | undefined> {
    const now = performance.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < TTL_MS) return hit.value;
    // Concurrent requests with one key share one lookup.
    const value = services.integrationByKey(this.db, key);
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { at: now, value });
    value.then(
      (found) => {
        if (!found) this.forget(key);
      },
      () => this.forget(key),
    );
    return value;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
