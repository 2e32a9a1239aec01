import { carriedOut, requestIfGated } from '../action-approvals/request-approval.ts';
import type { Operation } from '../context.ts';
import { changeIncident, checkMove, moveToState } from './change.ts';
import type { Incident } from './incident.ts';
import { type ResolveIncidentInput, resolveBodySchema } from './inputs.ts';

/**
 * Moves the incident to its plan's resolved state, with an optional resolution summary. When the
 * plan gates resolving (approvals.actions), an approval request is opened instead: 409.
 */
export async function resolveIncident({ ctx, input }: Operation<ResolveIncidentInput>): Promise<Incident> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = resolveBodySchema.parse(body);
  const result = await changeIncident(ctx, incidentId, {}, async (c) => {
    const to = c.lifecycle.resolved;
    if (!(await checkMove(c, to, ctx.actor))) return c.incident;
    const action = {
      kind: 'state' as const,
      from: c.incident.state,
      to,
      ...(data.resolution !== undefined ? { resolution: data.resolution } : {}),
    };
    return (await requestIfGated(c, action)) ?? moveToState(c, to, { resolution: data.resolution });
  });
  return carriedOut(result);
}
