import type { Executor } from '../../db/schema.ts';
import { Invalid } from '../../errors.ts';
import { formatDuration, parseDuration } from '../../lib/duration.ts';
import { usersByHandle } from '../incidents/change.ts';
import type { Plan } from '../plans/plan.ts';
import * as q from './queries.ts';

// Checks shared by creating and changing an action item: the owner is a user, the team exists, and
// what the plan's postmortem.actionItems rule requires (an owner, a due date) is there.

export async function requireOwner(db: Executor, owner: string | null | undefined): Promise<void> {
  if (owner) await usersByHandle(db, [owner], () => 'owner');
}

export async function teamIdOf(db: Executor, team: string): Promise<string> {
  const row = await q.teamIdByName(db, team);
  if (!row) throw new Invalid('unknown team', [{ path: 'team', message: `no team "${team}"` }]);
  return row.id;
}

export function requirePlanRules(plan: Plan, item: { owner: string | null; due_at: Date | null }): void {
  const rules = plan.postmortem?.actionItems;
  const details = [
    ...(rules?.requireOwner && !item.owner
      ? [{ path: 'owner', message: `plan ${plan.metadata.name} requires an owner for every action item` }]
      : []),
    ...(rules?.requireDue && !item.due_at
      ? [{ path: 'due_at', message: `plan ${plan.metadata.name} requires a due date for every action item` }]
      : []),
  ];
  if (details.length > 0) throw new Invalid('the plan requires more of this action item', details);
}

/**
 * postmortem.actionItems.dueWithin: an item of a priority with a limit is due at most that long
 * after its creation. Without a due date it gets the latest allowed one (unless `fill` is false: a
 * due date cleared on purpose is refused); a later one is refused. Returns the due date to store.
 */
export function dueWithinPlan(
  plan: Plan,
  item: { priority: string; created_at: Date; due_at: Date | null },
  fill = true,
): Date | null {
  const within = plan.postmortem?.actionItems?.dueWithin?.[item.priority as keyof DueWithin];
  if (!within) return item.due_at;
  const latest = new Date(item.created_at.getTime() + parseDuration(within));
  if (item.due_at === null && fill) return latest;
  if (item.due_at === null || item.due_at.getTime() > latest.getTime()) {
    const most = formatDuration(parseDuration(within));
    throw new Invalid('the plan requires an earlier due date', [
      {
        path: 'due_at',
        message: `plan ${plan.metadata.name} gives ${item.priority} action items at most ${most} (due by ${latest.toISOString()})`,
      },
    ]);
  }
  return item.due_at;
}
type DueWithin = NonNullable<NonNullable<Plan['postmortem']>['actionItems']>['dueWithin'];
