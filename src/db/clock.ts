// The one clock every timer reads. Production uses wall time corrected to the database server's
// clock (so several instances agree); tests and drills move a VirtualClock instead of sleeping.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export class VirtualClock implements Clock {
  private current: number;
  constructor(start: Date | string = '2026-01-05T09:00:00Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    const next = new Date(at).getTime();
    if (next < this.current) throw new Error('virtual clock cannot move backwards');
    this.current = next;
  }
  advance(ms: number): Date {
    if (ms < 0) throw new Error('virtual clock cannot move backwards');
    this.current += ms;
    return this.now();
  }
}

/** Wall clock shifted by the offset to the database's now(), refreshed by the caller. */
export class DatabaseClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  calibrate(databaseNow: Date, sentAt: number, receivedAt: number): void {
    const midpoint = (sentAt + receivedAt) / 2;
    this.offsetMs = databaseNow.getTime() - midpoint;
  }
}
