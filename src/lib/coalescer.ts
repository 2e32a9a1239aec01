// Work that many callers ask for at about the same time, done once for all of them: an item added
// while no flush is in flight goes out at once (alone, no waiting); items added while one is in flight
// wait for it and then go out together in the next. add() settles when the flush carrying its item has.
// Used where each flush costs a round trip and a transaction whatever it carries (announcing committed
// incident changes: incidents/queries.ts announceIncidentChange).
export class Coalescer<T> {
  readonly #pending: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  #flushing = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    /** The most items one flush carries (the rest go in the next). */
    private readonly maxBatch = 500,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (!this.#flushing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, this.maxBatch);
        try {
          await this.flush(batch.map((b) => b.item));
          for (const b of batch) b.resolve();
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }
}
