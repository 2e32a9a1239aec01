import type { Row } from '../../db/schema.ts';
import type { IncidentMilestones } from '../incidents/targets.ts';

// What the evaluator sees of an incident: its row plus when each audience last got a published update.
export interface IncidentSnapshot extends IncidentMilestones {
  id: string;
  title: string;
  slug: string;
  confidential?: boolean;
  code_name?: string | null;
  summary: string;
  impact: string;
  service: string | null;
  /** The plan's incident type, if any. */
  type?: string | null;
  /** high | low (issue 11 §3.9): low pages best effort. */
  urgency?: string;
  customer_facing: boolean;
  labels: Record<string, string>;
  fields: Record<string, unknown>;
  plan_name: string;
  plan_version: number;
  state: string;
  correlation_id: string;
  channel_name: string;
  war_room_url?: string | null;
  state_entered_at: Date;
  detected_at?: Date | null;
  last_update_at: { internal: Date | null; external: Date | null };
  /** "Next update at" set by the author of each audience's last update (null: the cadence decides). */
  next_update_at?: { internal: Date | null; external: Date | null };
  /** When the incident last paged someone (timer anchor last_page). */
  last_page_at?: Date | null;
  /** When each role was last assigned (timer anchor role_assigned). */
  role_assigned_at?: Record<string, Date>;
  /**
   * Open incidents (this one included) per severity id, for `if.openIncidents`; loaded only when the
   * incident's plan uses that condition (absent: none are counted).
   */
  open_incidents?: Record<string, number>;
  /** When its post-mortem was published (null: none, or not yet): post-mortem reminders end then. */
  postmortem_published_at?: Date | null;
}

/** Per incident, the moments timers may count from that are not on its row (queries.timerMoments). */
export type TimerMoments = Map<
  string,
  { last_page_at: Date | null; role_assigned_at: Record<string, Date>; postmortem_published_at?: Date | null }
>;

export type LastUpdates = Map<
  string,
  {
    internal: Date | null;
    external: Date | null;
    next: { internal: Date | null; external: Date | null };
  }
>;

export function snapshotOf(
  row: Row<'incidents'>,
  lastUpdates?: LastUpdates,
  moments?: TimerMoments,
): IncidentSnapshot {
  return {
    id: String(row.id),
    title: row.title,
    slug: row.slug,
    confidential: row.confidential,
    code_name: row.code_name,
    summary: row.summary,
    impact: row.impact,
    service: row.service,
    customer_facing: row.customer_facing,
    labels: row.labels ?? {},
    fields: row.fields ?? {},
    plan_name: row.plan_name,
    plan_version: row.plan_version,
    severity: row.severity,
    type: row.type,
    urgency: row.urgency,
    state: row.state,
    correlation_id: row.correlation_id,
    channel_name: row.channel_name,
    war_room_url: row.war_room_url,
    declared_at: row.declared_at,
    detected_at: row.detected_at,
    severity_changed_at: row.severity_changed_at,
    acknowledged_at: row.acknowledged_at,
    triaged_at: row.triaged_at,
    first_update_at: row.first_update_at,
    status_page_at: row.status_page_at,
    mitigated_at: row.mitigated_at,
    resolved_at: row.resolved_at,
    state_entered_at: row.state_entered_at,
    last_update_at: lastOf(lastUpdates, row.id),
    next_update_at: lastUpdates?.get(String(row.id))?.next ?? { internal: null, external: null },
    last_page_at: moments?.get(String(row.id))?.last_page_at ?? null,
    role_assigned_at: moments?.get(String(row.id))?.role_assigned_at ?? {},
    postmortem_published_at: moments?.get(String(row.id))?.postmortem_published_at ?? null,
  };
}

function lastOf(
  lastUpdates: LastUpdates | undefined,
  id: string | number,
): IncidentSnapshot['last_update_at'] {
  const last = lastUpdates?.get(String(id));
  return last ? { internal: last.internal, external: last.external } : { internal: null, external: null };
}

/** The last published update of any audience, or null. */
export function lastAnyUpdate(incident: IncidentSnapshot): Date | null {
  const { internal, external } = incident.last_update_at;
  if (!internal) return external;
  if (!external) return internal;
  return new Date(Math.max(internal.getTime(), external.getTime()));
}
