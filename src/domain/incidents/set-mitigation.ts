import type { Operation } from '../context.ts';
import { changeIncident, usersByHandle } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import type { Incident, Mitigation } from './incident.ts';
import { mitigationBodySchema, type SetMitigationInput } from './inputs.ts';
import * as incidents from './queries.ts';

/**
 * Sets the mitigation plan: steps, risk, rollback procedure and who agreed to it. `mitigated: true`
 * says it is in place (the mitigate target's milestone); `false` takes that back.
 */
export async function setMitigation({ ctx, input }: Operation<SetMitigationInput>): Promise<Incident> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = mitigationBodySchema.parse(body);
  return changeIncident(ctx, incidentId, { refusedWhenResolved: 'change its mitigation' }, async (c) => {
    await usersByHandle(c.tx, data.agreed_by, (i) => `agreed_by.${i}`);
    const mitigation: Mitigation = {
      steps: data.steps,
      risk: data.risk,
      rollback: data.rollback,
      agreed_by: [...new Set(data.agreed_by)],
    };
    const mitigatedAt =
      data.mitigated === undefined
        ? c.incident.mitigated_at
        : data.mitigated
          ? (c.incident.mitigated_at ?? c.now)
          : null;
    const after = await incidents.updateIncident(c.tx, c.incident.id, {
      mitigation: JSON.stringify(mitigation),
      mitigated_at: mitigatedAt,
      updated_at: c.now,
    });
    await c.event(EVENT_KINDS.mitigationUpdated, { ...mitigation, mitigated: mitigatedAt !== null });
    await c.audit(
      'incident.mitigation_set',
      { mitigation: c.incident.mitigation, mitigated_at: c.incident.mitigated_at },
      { mitigation, mitigated_at: mitigatedAt },
    );
    return after;
  });
}
