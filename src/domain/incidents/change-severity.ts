import { carriedOut, requestIfGated } from '../action-approvals/request-approval.ts';
import type { Operation } from '../context.ts';
import { changeIncident, requireSeverity, setSeverity } from './change.ts';
import type { Incident } from './incident.ts';
import { type ChangeSeverityInput, severityBodySchema } from './inputs.ts';

/**
 * Changes the severity to another one of the plan; the reason is required and kept in the timeline.
 * A change the plan gates (approvals.actions) opens an approval request instead: 409.
 */
export async function changeSeverity({ ctx, input }: Operation<ChangeSeverityInput>): Promise<Incident> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = severityBodySchema.parse(body);
  const result = await changeIncident(
    ctx,
    incidentId,
    { refusedWhenResolved: 'change its severity' },
    async (c) => {
      requireSeverity(c.plan, data.severity);
      if (c.incident.severity === data.severity) return c.incident;
      const action = {
        kind: 'severity' as const,
        from: c.incident.severity,
        to: data.severity,
        reason: data.reason,
      };
      return (await requestIfGated(c, action)) ?? setSeverity(c, c.incident, data.severity, data.reason);
    },
  );
  return carriedOut(result);
}
