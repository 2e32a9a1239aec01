import { DateTime } from 'luxon';
import type { Executor } from '../../db/schema.ts';
import * as contacts from './queries.ts';

// Quiet hours: a daily window in the user's own time zone in which low-urgency notifications (kind
// notify/post/handoff) are held until it ends. Pages are never held: whoever decides to hold calls
// this only for what may wait.

export interface QuietWindow {
  /** Local times of day, "HH:MM"; end before start means the window crosses midnight (22:00–07:00). */
  start: string;
  end: string;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * When the quiet window that contains `at` ends, or null when `at` is outside it. Computed on the
 * wall clock of `timeZone`, so the window moves with daylight-saving time like the person's day does.
 */
export function quietUntil(window: QuietWindow, timeZone: string, at: Date): Date | null {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  if (!local.isValid) return null;
  const now = local.hour * 60 + local.minute;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const crossesMidnight = end < start;
  const inside = crossesMidnight ? now >= start || now < end : now >= start && now < end;
  if (!inside) return null;
  // The end is today, unless the window crosses midnight and we are still before it.
  const endDay = crossesMidnight && now >= start ? local.plus({ days: 1 }) : local;
  const endsAt = endDay.set({ hour: Math.floor(end / 60), minute: end % 60, second: 0, millisecond: 0 });
  return endsAt.toJSDate();
}

/** Until when a low-urgency notification to this user waits, or null to send it now. */
export async function heldUntil(db: Executor, userId: string, at: Date): Promise<Date | null> {
  const row = await contacts.quietHoursOf(db, userId);
  if (!row) return null;
  return quietUntil({ start: row.starts, end: row.ends }, row.time_zone, at);
}
