import type { Operation } from '../context.ts';
import { changeIncident, moveToState } from './change.ts';
import type { Incident } from './incident.ts';
import { type TransitionIncidentInput, transitionBodySchema } from './inputs.ts';

/**
 * Moves the incident to another state of its plan's lifecycle (legal transitions only). Moving a
 * resolved incident to another state reopens it.
 */
export async function transitionIncident({
  ctx,
  input,
}: Operation<TransitionIncidentInput>): Promise<Incident> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = transitionBodySchema.parse(body);
  return changeIncident(ctx, incidentId, {}, (c) => moveToState(c, data.to, { reason: data.reason }));
}
