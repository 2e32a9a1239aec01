// Answers of the incident list kept in memory between changes (issue 14: a list of 100,000
// incidents under 16 readers). Correct only with its invalidations, which the HTTP server wires:
// - any change to an incident, by any instance (API, CLI, engine, ingest), arrives as the NOTIFY of
//   migration 0301's row triggers ('incident.changed', at commit) and drops every answer;
// - a write request on this instance drops every answer before it is answered, so its client's next
//   read sees the write even before the notification comes back (read your writes);
// - while the LISTEN connection is down (notifications would be lost) nothing is read from or kept
//   in the cache, and its reconnection drops every answer;
// - an answer is kept at most maxAgeMs (a connection lost without a sign loses nothing for longer).
// Only answers that are the same for every reader are kept: no confidential incident on the page
// (who sees one depends on the reader), no `mine` or `team` filter (they read other tables).

export interface IncidentListCacheOptions {
  maxAgeMs: number;
  maxEntries: number;
  /** Whether changes are being heard (the LISTEN connection is up). */
  listening: () => boolean;
  /** A monotonic clock in ms (tests pass their own). */
  now?: () => number;
}

export class IncidentListCache {
  private generation = 0;
  private readonly entries = new Map<string, { generation: number; body: Buffer; at: number }>();
  private readonly now: () => number;

  constructor(private readonly options: IncidentListCacheOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** A change was committed: every kept answer is stale, and so is any answer being computed. */
  invalidate(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /** Read before computing an answer, passed to set(): an answer that raced a change is not kept. */
  get current(): number {
    return this.generation;
  }

  get(key: string): Buffer | undefined {
    if (!this.options.listening()) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.generation !== this.generation || this.now() - entry.at > this.options.maxAgeMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.body;
  }

  set(key: string, generation: number, body: Buffer): void {
    if (generation !== this.generation || !this.options.listening()) return;
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { generation, body, at: this.now() });
  }
}
