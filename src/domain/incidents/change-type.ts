import type { Operation } from '../context.ts';
import { changeIncident, setType } from './change.ts';
import type { Incident } from './incident.ts';
import { type ChangeTypeInput, typeBodySchema } from './inputs.ts';

/** Changes the incident type to another of the plan (or none); the reason is kept in the timeline. */
export async function changeType({ ctx, input }: Operation<ChangeTypeInput>): Promise<Incident> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = typeBodySchema.parse(body);
  return changeIncident(ctx, incidentId, { refusedWhenResolved: 'change its type' }, (c) =>
    setType(c, c.incident, data.type, data.reason),
  );
}
