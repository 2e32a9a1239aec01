import type { Clock } from '../db/clock.ts';
import { RateLimited } from '../errors.ts';

// Failed authentication per client address: guessing tokens costs a minute per few tries. Each
// address holds a window of its recent failures; once `perMinute` failures fall within a minute,
// every further attempt from it answers 429 with Retry-After until the oldest one ages out.
// Kept in memory per process: an attacker spread over instances gets each instance's allowance.

const WINDOW_MS = 60_000;
/** Addresses tracked at most (a flood of distinct addresses must not grow memory without bound). */
const MAX_ADDRESSES = 10_000;

export class AuthFailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly perMinute: number,
  ) {}

  /** Throws RateLimited while the address has used up its failures. */
  check(address: string): void {
    const recent = this.recent(address);
    if (recent.length < this.perMinute) return;
    const oldest = recent[recent.length - this.perMinute] ?? this.clock.now().getTime();
    const wait = (oldest + WINDOW_MS - this.clock.now().getTime()) / 1000;
    throw new RateLimited('too many failed authentication attempts from this address; retry later', [], wait);
  }

  fail(address: string): void {
    const recent = this.recent(address);
    recent.push(this.clock.now().getTime());
    this.failures.delete(address);
    this.failures.set(address, recent);
    if (this.failures.size > MAX_ADDRESSES) {
      const first = this.failures.keys().next().value;
      if (first !== undefined) this.failures.delete(first);
    }
  }

  private recent(address: string): number[] {
    const since = this.clock.now().getTime() - WINDOW_MS;
    const kept = (this.failures.get(address) ?? []).filter((t) => t > since);
    if (kept.length === 0) this.failures.delete(address);
    return kept;
  }
}
