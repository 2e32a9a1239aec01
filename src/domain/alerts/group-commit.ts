import type { AnnounceLog } from '../../db/announce.ts';
import type { Clock } from '../../db/clock.ts';
import type { Db } from '../../db/schema.ts';
import { storeUnavailable } from '../../db/unavailable.ts';
import { NotFound, Unavailable } from '../../errors.ts';
import {
  type AppliedEvent,
  applyIngestBatch,
  type BatchOutcome,
  type IngestInput,
} from './ingest-alert-events.ts';
import { KeyRateLimit, type KeyRateOptions } from './key-rate-limit.ts';

// Group commit for inbound alerts (issue 4, "durability and back-pressure").
//
// Every inbound request of this process is queued here; batches of up to `maxBatchEvents` events are
// written in one transaction each, at most `maxConcurrentBatches` at a time, and each request is
// answered only after the commit that holds its events (accepted means durable). What a batch saves
// is per-statement and per-commit work: a batch of triggers is ONE multi-row statement
// (applyIngestBatch), and that statement's fixed cost (parse, plan, WAL flush: ≈ 1.5 ms alone here)
// dwarfs its per-row cost (≈ 0.1 ms). Measured with wrk -c32 (bench/ingest.ts): one statement per
// event inside the batch's transaction reached ≈ 2,500 new alerts/s, the multi-row statement
// ≈ 5,000. Two batches in flight rather than four make batches larger for the same throughput,
// and still leave one writing while the other waits on a row lock. The second one starts only once
// `minEventsForExtraBatch` events wait (a backlog, or the first stuck on a lock): started for
// whatever had queued, it split a flood into twice as many small batches. wrk -c32, new alerts,
// 2 shared cores, 4 rounds alternated: ~11 alerts a batch → ~17 when the second waits for 16
// events, and the whole path's CPU per alert ≈ 850 → 765 µs (PostgreSQL's share ≈ 445 → 385).
// What a new alert costs the store beyond that (migration 0115, bench/profile-storage.ts): its
// payload is written once (in its trigger event), not twice, and the statement's plan is kept by
// PL/pgSQL instead of being parsed and planned per batch — ≈ 84 → 58 µs of PostgreSQL CPU and 3.8 → 2.7 KB of WAL per new alert.
//
// Batching needs no timer: a batch starts as soon as a slot is free (the second one: and the backlog
// above is there), on the next turn of the event loop (setImmediate), with whatever has queued
// since. Under light load that is one request per
// batch and no added latency; under heavy load the slots are busy and batches fill up by themselves.
// That scheduling is I/O, not business time, so it uses the event loop and never the Clock; the
// business time written on the rows is `clock.now()`, read once per batch.
//
// A batch whose write fails is retried request by request, each on its own, so one bad request
// cannot fail the others and each gets its own error — unless the store itself failed (unreachable,
// frozen, timed out: db/unavailable.ts), which every request of the batch hears at once. Requests whose integration key was rotated or
// disabled meanwhile are refused by the write itself (applyIngestBatch checks the key in the same
// statement or transaction), which is what lets the routes cache key lookups.

export interface GroupCommitOptions {
  maxBatchEvents: number;
  maxConcurrentBatches: number;
  /**
   * While a batch is in flight, another one starts only once this many events wait; fewer wait for
   * the commit in flight (one at most, ~1–2 ms). With none in flight a batch starts at once, so a
   * request alone is written at once. 1: every free slot starts at once.
   */
  minEventsForExtraBatch: number;
  /** Events waiting for a batch beyond which new requests are refused (503: retry later). */
  maxQueuedEvents: number;
  keyRate: KeyRateOptions;
}

export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = {
  maxBatchEvents: 50,
  maxConcurrentBatches: 2,
  minEventsForExtraBatch: 16,
  maxQueuedEvents: 10_000,
  keyRate: { rate: 10, burst: 100 },
};

/** One sender's events: always from an integration (its key is what the batch checks). */
export type SubmitInput = Omit<IngestInput, 'throttled' | 'key' | 'integration'> & {
  integration: IngestInput['integration'] & { id: string };
};

interface Job {
  /** The key the sender used; checked against the store in the batch's transaction. */
  key: string;
  input: IngestInput;
  resolve(results: AppliedEvent[]): void;
  reject(error: unknown): void;
}

export interface GroupCommitStats {
  batches: number;
  requests: number;
  events: number;
  fallbacks: number;
  /** The most batches that were in flight at once. */
  peakInFlight: number;
}

export class GroupCommit {
  private readonly options: GroupCommitOptions;
  private readonly limit: KeyRateLimit;
  private queue: Job[] = [];
  private queuedEvents = 0;
  private inFlight = 0;
  private scheduled = false;
  private closed = false;
  private idle: (() => void)[] = [];
  readonly stats: GroupCommitStats = {
    batches: 0,
    requests: 0,
    events: 0,
    fallbacks: 0,
    peakInFlight: 0,
  };

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    options: Partial<GroupCommitOptions> = {},
    private readonly log?: AnnounceLog,
  ) {
    this.options = { ...DEFAULT_GROUP_COMMIT, ...options };
    this.limit = new KeyRateLimit(this.options.keyRate);
  }

  /**
   * Queues one sender's events and resolves with their results once committed. Rejects with
   * Unavailable when the queue is full or the process is stopping, with NotFound when the key no
   * longer names a live integration, or with the store's own error.
   */
  submit(key: string, input: SubmitInput): Promise<AppliedEvent[]> {
    if (this.closed) return Promise.reject(new Unavailable('Tocsin is shutting down; retry in a moment'));
    if (this.queuedEvents + input.events.length > this.options.maxQueuedEvents && this.queuedEvents > 0) {
      return Promise.reject(
        new Unavailable(
          `Tocsin is overloaded: ${this.queuedEvents} alert events are waiting to be stored; retry in a moment`,
        ),
      );
    }
    const throttled = input.events.map(
      (e) => e.action === 'trigger' && !this.limit.take(input.integration.id, e.dedupKey),
    );
    return new Promise((resolve, reject) => {
      this.queue.push({ key, input: { ...input, throttled }, resolve, reject });
      this.queuedEvents += input.events.length;
      this.schedule();
    });
  }

  /** Stops taking requests and resolves once every queued one is committed (or failed). */
  close(): Promise<void> {
    this.closed = true;
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || !this.slotFree()) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.slotFree()) {
      const batch = this.take();
      this.inFlight++;
      this.stats.peakInFlight = Math.max(this.stats.peakInFlight, this.inFlight);
      void this.commit(batch).finally(() => {
        this.inFlight--;
        if (this.queue.length > 0) this.pump();
        else if (this.inFlight === 0) for (const done of this.idle.splice(0)) done();
      });
    }
  }

  private slotFree(): boolean {
    if (this.inFlight === 0) return true;
    return (
      this.inFlight < this.options.maxConcurrentBatches &&
      this.queuedEvents >= this.options.minEventsForExtraBatch
    );
  }

  /** The oldest jobs up to maxBatchEvents events (a larger single job goes alone). */
  private take(): Job[] {
    let events = 0;
    let n = 0;
    while (n < this.queue.length) {
      const size = (this.queue[n] as Job).input.events.length;
      if (n > 0 && events + size > this.options.maxBatchEvents) break;
      events += size;
      n++;
    }
    const batch = this.queue.slice(0, n);
    this.queue = this.queue.slice(n);
    this.queuedEvents -= events;
    return batch;
  }

  private async commit(jobs: Job[]): Promise<void> {
    let outcomes: BatchOutcome[];
    try {
      outcomes = await applyIngestBatch(
        this.db,
        this.clock.now(),
        jobs.map((job) => ({ ...job.input, key: job.key })),
        this.log,
      );
    } catch (error) {
      // A store that did not serve the batch (unreachable, frozen, past its statement timeout) is no
      // request's fault: retried one by one, each request would wait out the same timeout again, the
      // last of the batch answered only after as many timeouts as it had requests.
      if (jobs.length === 1 || storeUnavailable(error)) {
        for (const job of jobs) job.reject(error);
        return;
      }
      this.stats.fallbacks++;
      for (const job of jobs) await this.commit([job]);
      return;
    }
    this.stats.batches++;
    for (const [i, job] of jobs.entries()) {
      const outcome = outcomes[i];
      if (outcome === 'stale-key' || outcome === undefined) {
        job.reject(new NotFound('integration', `${job.key.slice(0, 4)}…`));
        continue;
      }
      this.stats.requests++;
      this.stats.events += outcome.length;
      job.resolve(outcome);
    }
  }
}
