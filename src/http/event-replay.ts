import { randomBytes } from 'node:crypto';
import type { EventHub, HubMessage } from './event-hub.ts';

// Last-Event-ID replay for the live stream. This process numbers every message its hub delivers
// (`<epoch>-<seq>`, the epoch new at each start) and keeps the most recent ones, so a console whose
// stream dropped for a moment reconnects with the last id it saw and gets exactly what it missed.
// When that is impossible (an id of another instance or an earlier start, or older than what is
// kept) the stream says "resync" and the console fetches again: a gap is never silent.

export const REPLAY_KEEP = 1000;

export interface NumberedMessage {
  id: string;
  message: HubMessage;
}

export class EventReplay {
  readonly epoch = randomBytes(4).toString('hex');
  private seq = 0;
  private readonly kept: { seq: number; message: HubMessage }[] = [];
  private readonly readers = new Set<(m: NumberedMessage) => void>();
  private readonly unsubscribe: () => void;

  constructor(
    hub: Pick<EventHub, 'subscribe'>,
    private readonly keep = REPLAY_KEEP,
  ) {
    this.unsubscribe = hub.subscribe((message) => this.record(message));
  }

  private record(message: HubMessage): void {
    this.seq += 1;
    this.kept.push({ seq: this.seq, message });
    if (this.kept.length > this.keep) this.kept.shift();
    // Every new alert passes here twice (ingest, routing), mostly with no console open: the id is
    // only built for readers (after() builds those of replayed messages).
    if (this.readers.size === 0) return;
    const numbered = { id: `${this.epoch}-${this.seq}`, message };
    for (const fn of this.readers) fn(numbered);
  }

  /**
   * Subscribes a reader. With the last id the reader saw, first the messages after it, or null when
   * they cannot be known (then the reader must fetch again). Replay and subscription happen in one
   * synchronous step, so no message falls between them.
   */
  follow(
    lastEventId: string | undefined,
    fn: (m: NumberedMessage) => void,
  ): { missed: NumberedMessage[] | null; stop: () => void } {
    const missed = lastEventId === undefined ? [] : this.after(lastEventId);
    this.readers.add(fn);
    return { missed, stop: () => this.readers.delete(fn) };
  }

  private after(lastEventId: string): NumberedMessage[] | null {
    const match = /^([0-9a-f]+)-([0-9]{1,15})$/.exec(lastEventId);
    if (!match || match[1] !== this.epoch) return null;
    const last = Number(match[2]);
    if (last > this.seq) return null;
    const oldest = this.kept[0]?.seq ?? this.seq + 1;
    // Everything after `last` must still be kept: the first missed one is last + 1.
    if (last + 1 < oldest) return null;
    return this.kept
      .filter((k) => k.seq > last)
      .map((k) => ({ id: `${this.epoch}-${k.seq}`, message: k.message }));
  }

  close(): void {
    this.unsubscribe();
    this.readers.clear();
  }
}
