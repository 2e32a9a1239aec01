import type { Operation } from '../context.ts';
import { changeIncident, moveToState } from './change.ts';
import type { Incident } from './incident.ts';
import { type ResolveIncidentInput, resolveBodySchema } from './inputs.ts';

/** Moves the incident to its plan's resolved state, with an optional resolution summary. */
export async function resolveIncident({ ctx, input }: Operation<ResolveIncidentInput>): Promise<Incident> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = resolveBodySchema.parse(body);
  return changeIncident(ctx, incidentId, {}, (c) =>
    moveToState(c, c.lifecycle.resolved, { resolution: data.resolution }),
  );
}
