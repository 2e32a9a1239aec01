import { inTx } from '../../db/tx.ts';
import { Invalid, NotFound } from '../../errors.ts';
import { parseTimestamp } from '../../lib/timestamp.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { type OverrideView, overrideView } from './overrides.ts';
import * as schedules from './queries.ts';
import { type OverrideInput, overrideInputSchema, spanOfRow, specOfRow } from './schedules.ts';
import { finalShifts } from './shifts.ts';

/** Puts a user on call for a window: instead of everyone, or (replaces) instead of one user. */
export async function createOverride({
  ctx,
  input,
}: Operation<{ schedule: string; override: OverrideInput }>): Promise<OverrideView> {
  ctx.require('override:write');
  const data = overrideInputSchema.parse(input.override);
  return inTx(ctx.db, async (tx) => {
    const schedule = await schedules.findByName(tx, input.schedule);
    if (!schedule) throw new NotFound('schedule', input.schedule);
    const handles = [data.user, ...(data.replaces ? [data.replaces] : [])];
    const found = new Map((await schedules.idsOfHandles(tx, handles)).map((u) => [u.handle, String(u.id)]));
    const missing = (['user', 'replaces'] as const)
      .filter((k) => data[k] && !found.has(data[k]))
      .map((k) => ({ path: k, message: `no user with handle "${data[k]}"` }));
    if (missing.length > 0) throw new Invalid('unknown users', missing);
    const starts = parseTimestamp(data.start) as Date;
    const ends = parseTimestamp(data.end) as Date;
    if (data.replaces) {
      // A swap takes over only the replaced person's time: if they are not on call in the window, it
      // would be accepted and change nothing. Say so instead.
      const replaced = found.get(data.replaces) as string;
      const spans = (await schedules.overridesOverlapping(tx, [schedule.id], starts, ends)).map(spanOfRow);
      const shifts = finalShifts(specOfRow(schedule), spans, starts, ends);
      if (!shifts.some((s) => s.users.includes(replaced))) {
        throw new Invalid(
          `${data.replaces} is not on call in ${schedule.name} then: the swap would change nothing`,
          [
            {
              path: 'replaces',
              message: `${data.replaces} has no shift in ${schedule.name} between ${data.start} and ${data.end}; leave out replaces to put ${data.user} on call instead of everyone`,
            },
          ],
        );
      }
    }
    const now = ctx.clock.now();
    const row = await schedules.insertOverride(tx, {
      schedule_id: schedule.id,
      user_id: found.get(data.user) as string,
      replaces_user_id: data.replaces ? (found.get(data.replaces) as string) : null,
      starts_at: starts,
      ends_at: ends,
      created_at: now,
      created_by: ctx.actor.name,
    });
    const view = overrideView(schedule.name, { ...row, user: data.user, replaces: data.replaces ?? null });
    await audit.record(tx, ctx.actor, now, {
      action: 'schedule.override_created',
      entityType: 'schedule',
      entityId: schedule.name,
      after: view,
    });
    return view;
  });
}
