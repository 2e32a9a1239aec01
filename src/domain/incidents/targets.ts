import { onStatusPage, type Plan, severityOf, targetDurations, targetsOf } from '../plans/plan.ts';
import { TARGET_KINDS, type TargetKind } from '../plans/plan-schema.ts';
import { addPlanDuration, planBusinessHours } from '../workflows/business-hours.ts';

// Target clocks of one incident, from the plan version it was declared under. Each target is
// measured from declaration to the moment its milestone happened (the incident's *_at column).
export type TargetStatus = 'met' | 'breached' | 'pending';

export interface TargetClock {
  target: TargetKind;
  duration_ms: number;
  due_at: Date;
  met_at: Date | null;
  status: TargetStatus;
}

export interface IncidentMilestones {
  severity: string;
  /** The incident type: its targets replace the severity's (types[].targets). */
  type?: string | null;
  declared_at: Date;
  acknowledged_at: Date | null;
  triaged_at: Date | null;
  first_update_at: Date | null;
  status_page_at: Date | null;
  mitigated_at: Date | null;
  resolved_at: Date | null;
  customer_facing?: boolean;
  severity_changed_at?: Date | null;
}

/**
 * When a target is due: its duration (wall-clock, or business time in the plan's business hours)
 * from declaration, or from the last severity change when the plan says targetsFrom:
 * severity_changed; after a change never earlier than the change itself.
 */
export function targetDueAt(plan: Plan, incident: IncidentMilestones, target: TargetKind): Date | undefined {
  const severity = severityOf(plan, incident.severity);
  const duration = severity && targetsOf(plan, severity, incident.type).targets[target];
  if (!duration) return undefined;
  const changed = incident.severity_changed_at ?? null;
  const from = plan.targetsFrom === 'severity_changed' && changed ? changed : incident.declared_at;
  const due = addPlanDuration(from, duration, planBusinessHours(plan)).getTime();
  return new Date(changed ? Math.max(due, changed.getTime()) : due);
}

export const MILESTONE_OF: Record<TargetKind, keyof IncidentMilestones> = {
  acknowledge: 'acknowledged_at',
  triage: 'triaged_at',
  firstUpdate: 'first_update_at',
  statusPage: 'status_page_at',
  mitigate: 'mitigated_at',
  resolve: 'resolved_at',
};

export function targetStatus(due: Date, metAt: Date | null, now: Date): TargetStatus {
  if (metAt) return metAt.getTime() <= due.getTime() ? 'met' : 'breached';
  return now.getTime() > due.getTime() ? 'breached' : 'pending';
}

export function computeTargets(incident: IncidentMilestones, plan: Plan, now: Date): TargetClock[] {
  const severity = severityOf(plan, incident.severity);
  if (!severity) return [];
  const durations = targetDurations(plan, targetsOf(plan, severity, incident.type));
  const out: TargetClock[] = [];
  for (const target of TARGET_KINDS) {
    const ms = durations[target];
    if (ms === undefined) continue;
    // The status-page target only counts for incidents the plan puts on the status page.
    if (target === 'statusPage' && !onStatusPage(plan, incident)) continue;
    const due = targetDueAt(plan, incident, target);
    if (!due) continue;
    const metAt = (incident[MILESTONE_OF[target]] as Date | null) ?? null;
    out.push({ target, duration_ms: ms, due_at: due, met_at: metAt, status: targetStatus(due, metAt, now) });
  }
  return out;
}
