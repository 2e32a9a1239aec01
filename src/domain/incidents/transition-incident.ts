import { gatesFor } from '../action-approvals/gates.ts';
import { carriedOut, requestIfGated } from '../action-approvals/request-approval.ts';
import type { Operation } from '../context.ts';
import { changeIncident, checkMove, moveToState, moveWithoutLock } from './change.ts';
import type { Incident } from './incident.ts';
import { type TransitionIncidentInput, transitionBodySchema } from './inputs.ts';

/**
 * Moves the incident to another state of its plan's lifecycle (legal transitions only). Moving a
 * resolved incident to another state reopens it. A move the plan gates (approvals.actions) opens an
 * approval request instead: 409.
 */
export async function transitionIncident({
  ctx,
  input,
}: Operation<TransitionIncidentInput>): Promise<Incident> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = transitionBodySchema.parse(body);
  // The common move (public incident, no gate, no `by`, nothing else to do) without a lock; anything
  // else, or a row changed meanwhile, goes the locked way below.
  const quick = await moveWithoutLock(
    ctx,
    incidentId,
    data.to,
    data.reason,
    (plan, lifecycle, from) => gatesFor(plan, lifecycle, { kind: 'state', from, to: data.to }).length > 0,
  );
  if (quick) return quick;
  const result = await changeIncident(ctx, incidentId, {}, async (c) => {
    if (!(await checkMove(c, data.to, ctx.actor))) return c.incident;
    const action = {
      kind: 'state' as const,
      from: c.incident.state,
      to: data.to,
      ...(data.reason !== undefined ? { reason: data.reason } : {}),
    };
    return (await requestIfGated(c, action)) ?? moveToState(c, data.to, { reason: data.reason });
  });
  return carriedOut(result);
}
