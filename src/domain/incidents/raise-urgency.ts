import type { Operation } from '../context.ts';
import { pageFromPlan } from '../paging/page-from-plan.ts';
import { severityOf } from '../plans/plan.ts';
import { changeIncident } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import type { Incident } from './incident.ts';
import { type RaiseUrgencyInput, urgencyBodySchema } from './inputs.ts';
import * as incidents from './queries.ts';

/**
 * Raises a low-urgency incident to high (issue 11 §3.9): the row, its timeline and audit change in
 * one transaction, and the severity's page runs again in full from its first step (the low-urgency
 * page was best effort: first step only, nothing that rings). Already high: unchanged, no page.
 */
export async function raiseUrgency({ ctx, input }: Operation<RaiseUrgencyInput>): Promise<Incident> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = urgencyBodySchema.parse(body);
  return changeIncident(ctx, incidentId, { refusedWhenResolved: 'raise its urgency' }, async (c) => {
    if (c.incident.urgency === data.urgency) return c.incident;
    const after = await incidents.updateIncident(c.tx, c.incident.id, {
      urgency: data.urgency,
      updated_at: c.now,
    });
    await c.event(EVENT_KINDS.urgencyRaised, {
      from: c.incident.urgency,
      to: data.urgency,
      reason: data.reason,
    });
    await c.audit(
      'incident.urgency_raised',
      { urgency: c.incident.urgency },
      { urgency: data.urgency, reason: data.reason },
    );
    // The severity's page as compile-plan-rules.ts runs it on declaration (same who, channels, policy).
    const page = severityOf(c.plan, after.severity)?.page ?? {};
    const who = page.policy ?? page.to;
    await pageFromPlan(c.tx, {
      incident: after,
      plan: c.plan,
      who: who ? [who] : [],
      channels: page.channels ?? [],
      kind: 'paging',
      servicePolicy: page.servicePolicy !== false,
      source: `urgency:${after.severity}`,
      message: `${after.title} (urgency raised to high: ${data.reason})`,
      now: c.now,
    });
    return after;
  });
}
