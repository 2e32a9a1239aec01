import { NotFound } from '../../errors.ts';
import type { Ctx } from '../context.ts';
import { changeIncident, type IncidentChange } from '../incidents/change.ts';
import { isId, requiredApprovals } from '../incidents/incident.ts';
import { resolveRecipients } from '../paging/recipients.ts';
import { targetOf } from '../paging/steps.ts';
import { statusPageChanged } from '../status-page/cache.ts';
import { type ApprovalState, approvalState, type Update } from './approvals.ts';
import * as q from './queries.ts';

// The frame the review operations share: the incident locked (incidents/change.ts), the update
// locked, its approval state; and who may approve for a requirement.

export interface UpdateChange extends IncidentChange {
  update: Update;
  state: ApprovalState;
}

export async function changeUpdate<T>(
  ctx: Ctx,
  incidentId: string,
  updateId: string,
  fn: (c: UpdateChange) => Promise<T>,
): Promise<T> {
  const result = await changeIncident(ctx, incidentId, {}, async (c) => {
    const update = isId(updateId) ? await q.lockUpdate(c.tx, c.incident.id, updateId) : undefined;
    if (!update) throw new NotFound('update', updateId);
    const state = approvalState(
      requiredApprovals(c.plan, update.audience),
      update,
      await q.reviewsOf(c.tx, [update.id]),
    );
    return fn({ ...c, update, state });
  });
  statusPageChanged(ctx.db);
  return result;
}

/**
 * The users who may approve for a plan role (whoever holds it), group (its members) or a user:,
 * schedule: or team: approver (action gates), now.
 */
export async function approversFor(c: IncidentChange, requirement: string): Promise<Set<string>> {
  const found = await resolveRecipients(c.tx, [targetOf(requirement, c.plan)], {
    incidentId: c.incident.id,
    service: c.incident.service,
    plan: c.plan,
    now: c.now,
  });
  return found.userIds;
}
