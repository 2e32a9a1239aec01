// Per-key rate limit for inbound triggers: a token bucket per (integration, dedup key).
//
// Policy (issue 4, "durability and back-pressure"): a sender repeating one key faster than `rate`
// per second (after a burst of `burst`) has the excess *shed*, never dropped — each shed trigger
// still adds 1 to the open alert's count, in one cheap statement per key and batch, inside the same
// group commit as everything else (so it too is durable before the answer). What the sender hears
// depends on the endpoint:
// - PagerDuty Events v2 (/v2/enqueue): 429, as PagerDuty answers throttled events;
// - Alertmanager, Grafana and the other webhooks: 202 — Alertmanager retries only on 5xx and a 429
//   would read as a failure; their repeats are coalesced instead.
// Only repeats are shed: a throttled trigger whose key has no open alert opens it in full.
//
// Time here is real time (performance.now), not the business clock: this protects the store from
// I/O load, it decides nothing that a drill or a test's virtual clock should control.

export interface KeyRateOptions {
  /** Sustained repeats per second per key; 0 turns the limit off. */
  rate: number;
  /** Repeats allowed at once before the sustained rate applies. */
  burst: number;
  /** Milliseconds, monotonic; injectable for tests. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

// Idle buckets refill to full and mean nothing; past this many, the full ones are swept.
const SWEEP_AT = 50_000;

export class KeyRateLimit {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(private readonly options: KeyRateOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  get enabled(): boolean {
    return this.options.rate > 0;
  }

  /** Whether one more trigger of this key may be applied in full (false: shed it). */
  take(integrationId: string, dedupKey: string): boolean {
    if (!this.enabled) return true;
    const id = `${integrationId}\u0000${dedupKey}`;
    const now = this.now();
    const bucket = this.buckets.get(id);
    if (!bucket) {
      if (this.buckets.size >= SWEEP_AT) this.sweep(now);
      this.buckets.set(id, { tokens: this.options.burst - 1, at: now });
      return true;
    }
    bucket.tokens = this.refilled(bucket, now);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  private refilled(bucket: Bucket, now: number): number {
    return Math.min(this.options.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.options.rate);
  }

  private sweep(now: number): void {
    for (const [id, bucket] of this.buckets) {
      if (this.refilled(bucket, now) >= this.options.burst) this.buckets.delete(id);
    }
    // A flood of distinct busy keys: forget them all (the limit fails open for a moment) rather
    // than sweeping on every new key.
    if (this.buckets.size >= SWEEP_AT) this.buckets.clear();
  }
}
