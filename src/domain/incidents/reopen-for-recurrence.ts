import type { Ctx } from '../context.ts';
import type { Plan } from '../plans/plan.ts';
import { changeIncident, moveToState } from './change.ts';
import type { Incident } from './incident.ts';

/**
 * Reopens a resolved incident because its alert triggered again within the plan's
 * `lifecycle.reopenWithin`: back to the lifecycle's initial state, recorded as a reopen (timeline
 * and audit) with the reason. Returns undefined, changing nothing, when the incident is no longer
 * resolved or its lifecycle does not allow reopening: the caller then opens a new incident.
 */
export async function reopenForRecurrence(
  ctx: Ctx,
  incidentId: string,
  reason: string,
): Promise<{ incident: Incident; plan: Plan } | undefined> {
  return changeIncident(ctx, incidentId, {}, async (c) => {
    const { incident, lifecycle } = c;
    if (incident.state !== lifecycle.resolved) return undefined;
    if (!lifecycle.canTransition(incident.state, lifecycle.initial)) return undefined;
    const reopened = await moveToState(c, lifecycle.initial, { reason });
    return { incident: reopened, plan: c.plan };
  });
}
