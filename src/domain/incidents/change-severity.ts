import type { Operation } from '../context.ts';
import { changeIncident, setSeverity } from './change.ts';
import type { Incident } from './incident.ts';
import { type ChangeSeverityInput, severityBodySchema } from './inputs.ts';

/** Changes the severity to another one of the plan; the reason is required and kept in the timeline. */
export async function changeSeverity({ ctx, input }: Operation<ChangeSeverityInput>): Promise<Incident> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = severityBodySchema.parse(body);
  return changeIncident(ctx, incidentId, { refusedWhenResolved: 'change its severity' }, (c) =>
    setSeverity(c, c.incident, data.severity, data.reason),
  );
}
