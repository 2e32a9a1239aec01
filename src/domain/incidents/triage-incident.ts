import { carriedOut, requestIfGated } from '../action-approvals/request-approval.ts';
import type { Operation } from '../context.ts';
import { changeIncident, requireSeverity, setSeverity } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import { changedFields, type Incident } from './incident.ts';
import { type TriageIncidentInput, triageBodySchema } from './inputs.ts';
import * as incidents from './queries.ts';

/**
 * Marks the incident triaged (the triage target's milestone), optionally confirming its severity,
 * summary and impact. Triage happens once: a repeat only applies the changes it carries.
 */
export async function triageIncident({ ctx, input }: Operation<TriageIncidentInput>): Promise<Incident> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = triageBodySchema.parse(body);
  const result = await changeIncident(ctx, incidentId, { refusedWhenResolved: 'triage it' }, async (c) => {
    let current = c.incident;
    if (data.severity !== undefined && data.severity !== current.severity) {
      requireSeverity(c.plan, data.severity);
      const reason = data.reason ?? 'confirmed at triage';
      const action = { kind: 'severity' as const, from: current.severity, to: data.severity, reason };
      // A gated severity change holds the whole triage back until it is approved.
      const pending = await requestIfGated(c, action);
      if (pending) return pending;
      current = await setSeverity(c, current, data.severity, reason);
    }
    const texts = { summary: data.summary, impact: data.impact };
    const changed = changedFields(current, texts);
    const firstTriage = current.triaged_at === null;
    if (changed.length === 0 && !firstTriage) return current;
    const after = await incidents.updateIncident(c.tx, current.id, {
      ...Object.fromEntries(changed.map((f) => [f, texts[f]])),
      ...(firstTriage ? { triaged_at: c.now } : {}),
      updated_at: c.now,
    });
    for (const field of changed) {
      await c.event(EVENT_KINDS.fieldChanged, { field, from: current[field], to: after[field] });
    }
    if (firstTriage) await c.event(EVENT_KINDS.triaged, { severity: after.severity });
    await c.audit(
      'incident.triaged',
      { triaged_at: current.triaged_at, ...Object.fromEntries(changed.map((f) => [f, current[f]])) },
      { triaged_at: after.triaged_at, ...Object.fromEntries(changed.map((f) => [f, after[f]])) },
    );
    return after;
  });
  return carriedOut(result);
}
