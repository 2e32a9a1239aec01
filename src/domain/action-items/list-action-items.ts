import type { Operation } from '../context.ts';
import { hiddenIncidentIds } from '../incidents/confidential.ts';
import { type ActionItem, type ListActionItemsQuery, OPEN_STATUSES } from './action-items.ts';
import { toActionItem } from './get-action-item.ts';
import * as q from './queries.ts';

/** Action items, soonest due first; by default only unfinished ones (open or in progress). */
export async function listActionItems({
  ctx,
  input,
}: Operation<ListActionItemsQuery>): Promise<ActionItem[]> {
  ctx.require('read');
  const now = ctx.clock.now();
  const statuses =
    input.status === 'all'
      ? undefined
      : input.status === 'unfinished' || input.overdue
        ? OPEN_STATUSES
        : [input.status];
  const rows = await q.listItems(ctx.db, {
    incidentId: input.incident,
    team: input.team,
    owner: input.owner,
    statuses,
    overdueAt: input.overdue ? now : undefined,
    limit: input.limit,
  });
  // Items following from a confidential incident the caller may not see are left out.
  const hidden = await hiddenIncidentIds(
    ctx.db,
    rows.map((r) => r.incident_id),
    ctx.actor,
    now,
  );
  return rows
    .filter((r) => r.incident_id === null || !hidden.has(r.incident_id))
    .map((r) => toActionItem(r, now));
}

export interface TeamOpenItems {
  team: string | null;
  open: number;
  overdue: number;
}

/** How many unfinished action items each team has, and how many of them are overdue. */
export async function openActionItemsByTeam({ ctx }: Operation<unknown>): Promise<TeamOpenItems[]> {
  ctx.require('read');
  const rows = await q.openCountsByTeam(ctx.db, ctx.clock.now());
  return rows.map((r) => ({ team: r.team, open: Number(r.open), overdue: Number(r.overdue) }));
}
