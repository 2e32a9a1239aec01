import type { Executor } from '../../db/schema.ts';
import { Invalid } from '../../errors.ts';
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
