import type { Executor } from '../../db/schema.ts';
import { isOpen } from './maintenance.ts';
import * as q from './queries.ts';

/**
 * The open `downgrade` maintenance window of a service at `now`, if any: its incidents still open,
 * but their pages are best effort (paging/page-from-plan.ts).
 */
export async function downgradingWindow(db: Executor, service: string, now: Date) {
  const windows = await q.downgradingWindows(db, service, now);
  return windows.find((w) => isOpen(w, now));
}
