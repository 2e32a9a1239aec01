import { parseDuration } from '../../lib/duration.ts';
import { type Plan, severityOf } from '../plans/plan.ts';
import type { PlanTemplate } from '../plans/plan-schema.ts';
import type { IncidentSnapshot } from '../workflows/snapshot.ts';

// When the next update of an audience is due (the plan's cadence per severity), and which of the
// plan's templates drafts an update. Pure: cadence.test.ts. Reminders and overdue marks are the
// plan rules the workflow engine compiles from the same cadence (workflows/compile-plan-rules.ts).

export type Audience = 'internal' | 'external';

/** Due time of the next update of an audience: the cadence after the last one (or declaration). */
export function nextUpdateDue(plan: Plan, incident: IncidentSnapshot, audience: Audience): Date | null {
  if (incident.resolved_at) return null;
  const every = severityOf(plan, incident.severity)?.cadence?.[audience];
  if (!every) return null;
  const since = incident.last_update_at[audience] ?? incident.declared_at;
  return new Date(since.getTime() + parseDuration(every));
}

/**
 * The template that drafts an update: the one named, else the plan's template of the audience's
 * kind for the incident's state, else its first template of that kind.
 */
export function pickTemplate(
  plan: Plan,
  audience: Audience,
  state: string,
  name?: string,
): PlanTemplate | undefined {
  if (name) return plan.templates.find((t) => t.id === name);
  const ofKind = plan.templates.filter((t) => t.kind === audience);
  return ofKind.find((t) => t.state === state) ?? ofKind.find((t) => t.state === undefined) ?? ofKind[0];
}
