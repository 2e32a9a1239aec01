import type { Executor } from '../../db/schema.ts';
import * as schedules from './queries.ts';
import { spanOfRow, specOfRow } from './schedules.ts';
import { onCallAt } from './shifts.ts';

// The contract the paging engine codes against. It runs inside the engine's transaction on every
// escalation step, so it reads two rows' worth: the schedule, then the overrides active at `at`.

/** User ids (as strings) on call for a schedule at an instant; [] when nobody or no such schedule. */
export async function onCallUserIds(db: Executor, scheduleName: string, at: Date): Promise<string[]> {
  const schedule = await schedules.findByName(db, scheduleName);
  if (!schedule) return [];
  const overrides = await schedules.overridesOverlapping(db, [schedule.id], at, new Date(at.getTime() + 1));
  return onCallAt(specOfRow(schedule), overrides.map(spanOfRow), at);
}

export async function scheduleExists(db: Executor, name: string): Promise<boolean> {
  return (await schedules.existsByName(db, name)) !== undefined;
}
