// The shapes of the API's answers the console reads. The server's OpenAPI document types requests
// but not yet responses, so these follow what the routes return (snake_case as on the wire).

export interface SessionUser {
  id?: string;
  name: string;
  handle?: string;
  email?: string | null;
  role: 'admin' | 'manager' | 'responder' | 'viewer' | string;
  time_zone?: string;
}

export interface Incident {
  id: string;
  title: string;
  slug: string;
  summary: string;
  impact: string;
  service: string | null;
  customer_facing: boolean;
  labels: Record<string, string>;
  plan_name: string;
  plan_version: number;
  severity: string;
  /** The plan's incident type (types[].id), null for none. */
  type?: string | null;
  /** high | low (issue 11 §3.9): low pages best effort. */
  urgency?: string;
  /** The incident this one was merged into (it is resolved as merged), null otherwise. */
  merged_into?: string | null;
  state: string;
  channel_name: string | null;
  /** The war-room call link (plan warRoom.url), null without one. */
  war_room_url?: string | null;
  declared_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
  updated_at: string;
  created_by: string | null;
  resolution: string;
}

export interface TargetClock {
  target: string;
  duration_ms: number;
  due_at: string;
  met_at: string | null;
  status: 'pending' | 'met' | 'breached' | string;
}

export interface TimelineEvent {
  id: string;
  at: string;
  kind: string;
  actor_name: string | null;
  data: Record<string, unknown>;
}

export interface ChecklistItem {
  id: string;
  checklist: string;
  text: string;
  done_at: string | null;
  done_by: string | null;
}

export interface Hypothesis {
  id: string;
  statement: string;
  status: string;
  result?: string | null;
}

export interface RoleHolder {
  role: string;
  user: string;
}

export interface Responder {
  responder?: string;
  user?: string | null;
  kind?: string;
  [key: string]: unknown;
}

export interface RelatedIncident {
  id: string;
  title: string;
  state: string;
  severity: string;
}

export interface IncidentDetail {
  incident: Incident;
  links: Record<string, string>;
  targets: TargetClock[];
  roles: RoleHolder[];
  responders: Responder[];
  hypotheses: Hypothesis[];
  checklists: { name: string; items: ChecklistItem[] }[];
  timeline: TimelineEvent[];
  allowed_states?: string[];
  /** Incidents linked to this one (tocsin incident link), oldest link first. */
  related?: RelatedIncident[];
  /** The incident's Slack channel when its plan opens one (channel.platform: slack). */
  chat_channel?: {
    platform: 'slack';
    status: 'opening' | 'open' | 'failed';
    id: string | null;
    name: string;
    error: string | null;
  } | null;
}

export interface PageMessage {
  id: string;
  user: string;
  channel: string;
  destination: string;
  status: string;
  attempts: number;
  queued_at: string;
  sent_at: string | null;
  error: string | null;
}

export interface Severity {
  id: string;
  title?: string;
  description?: string;
  criteria?: string[];
  examples?: string[];
}
export interface LifecycleState {
  id: string;
  title?: string;
  description?: string;
}
/** A plan step: plain text, or a title with a command to run. */
export type RunbookStep = string | { title: string; description?: string; command?: string };
export interface Runbook {
  id: string;
  title: string;
  description?: string;
  url?: string;
  symptoms?: string[];
  triage?: RunbookStep[];
  steps?: RunbookStep[];
}
export interface PlanTool {
  name: string;
  purpose?: string;
  /** A key of the plan's links or a URL. */
  link?: string;
}
export interface PlanDocument {
  metadata: { name: string; title?: string };
  runbooks?: Runbook[];
  warRoom?: { tool?: string; severities?: string[]; participants?: { who: string; note?: string }[] };
  tools?: PlanTool[];
  severities: Severity[];
  types?: { id: string; name: string; description?: string }[];
  roles: (string | { id: string; title?: string })[];
  lifecycle: { states: LifecycleState[] };
}
export interface PlanVersion {
  name: string;
  version: number;
  current_version: number;
  source: string;
  plan: PlanDocument;
  created_at: string;
  created_by: string | null;
}
export interface PlanSummary {
  name: string;
  title: string | null;
  current_version: number;
  severities: string[];
  updated_at: string;
}

export interface Shift {
  start: string;
  end: string;
  users: string[];
  layer: string | null;
  override: boolean;
}
export interface OnCallNow {
  schedule: string;
  time_zone: string;
  users: string[];
  shift: Shift | null;
}
export interface Schedule {
  name: string;
  description: string | null;
  time_zone: string;
  team: string | null;
  layers: { name: string; type: string; participants: string[] }[];
}
export interface Override {
  id: string;
  start: string;
  end: string;
  user: string;
  replaces: string | null;
}
export interface EscalationPolicy {
  name: string;
  description: string | null;
  steps: { users: string[]; schedules: string[]; teams: string[]; escalateAfter: string }[];
  repeat: number;
}

export interface Alert {
  id: string;
  service: string;
  status: string;
  severity: string;
  summary: string;
  source?: string;
  incident_id: string | null;
  labels: Record<string, string>;
  payload?: unknown;
  created_at: string;
  last_seen_at?: string;
  [key: string]: unknown;
}

export interface Integration {
  id: string;
  type: string;
  name: string;
  key: string;
  url?: string;
  [key: string]: unknown;
}
export interface Service {
  id: string;
  name: string;
  description: string | null;
  plan_name: string | null;
  escalation_policy: string | null;
  team: string | null;
  integrations?: Integration[];
}

export interface User {
  id: string;
  handle: string;
  name: string;
  email: string | null;
  role: string;
  time_zone: string;
  deactivated_at?: string | null;
}
export interface Team {
  id: string;
  name: string;
  description: string | null;
  members: { user: string; role: string }[];
  deactivated_at?: string | null;
}
export interface AuditEntry {
  id: string;
  at: string;
  actor_name: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
}
export interface ContactMethod {
  id: string;
  kind: string;
  address: string;
  label: string | null;
  verified: boolean;
  [key: string]: unknown;
}
export interface ApiToken {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}
export interface InboxItem {
  id: string;
  incident_id: string | null;
  title: string;
  body: string;
  created_at: string;
  read_at: string | null;
  url: string;
}

export interface SignedInSession {
  id: string;
  method: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
  current: boolean;
}

// --- post-mortems, action items, reports (issue 15) ----------------------------------------------

export interface PostmortemSection {
  id: string;
  title: string;
  body: string;
}

export interface Postmortem {
  incident_id: string;
  title: string;
  status: 'draft' | 'in_review' | 'published';
  due_at: string | null;
  sections: PostmortemSection[];
  created_at: string;
  updated_at: string;
  published_at: string | null;
  published_by: string | null;
  overdue: boolean;
  /** One of the plan's categories (any text when it lists none); null: not categorised. */
  root_cause_category: string | null;
  /** The plan's postmortem.rootCauseCategories (GET of one post-mortem); empty: any text. */
  root_cause_categories?: string[];
}

export interface ActionItem {
  id: string;
  incident_id: string | null;
  title: string;
  description: string;
  owner: string | null;
  due_at: string | null;
  status: 'open' | 'in_progress' | 'done' | 'cancelled';
  priority: 'low' | 'medium' | 'high' | 'urgent';
  tracker_url: string | null;
  team: string | null;
  overdue: boolean;
}

export interface MetricStats {
  count: number;
  mean_ms: number | null;
  median_ms: number | null;
  p90_ms: number | null;
}

export interface MetricsRow {
  group_by: 'all' | 'severity' | 'service' | 'team';
  group: string | null;
  incidents: number;
  resolved: number;
  mttd: MetricStats;
  mtta: MetricStats;
  mttr: MetricStats;
}

export interface ComplianceRow {
  target: string;
  severity: string | null;
  met: number;
  breached: number;
  pending: number;
  rate: number | null;
}

export interface GoalRow {
  goal: string;
  severity: string | null;
  description: string;
  target: number;
  actual: number | null;
  met: boolean | null;
}

/** GET /api/v1/reports/frequency: one bucket (week or month). */
export interface FrequencyBucket {
  start: string;
  end: string;
  incidents: number;
  by_severity: Record<string, number>;
}

/** GET /api/v1/reports/root-causes. */
export interface RootCauseReport {
  categories: { category: string; incidents: number }[];
  uncategorised: number;
  without_postmortem: number;
}

/** GET /api/v1/reports/oncall-load: one person. */
export interface OnCallLoadRow {
  user: string;
  name: string;
  time_zone: string;
  pages: number;
  night_pages: number;
  hours_on_call: number;
}

/** GET /api/v1/plans/:name/readiness. */
export interface PlanReadiness {
  severities: { id: string; route: 'named' | 'service_policy' | 'nobody' }[];
  review: { every: string; last_reviewed: string | null; due_at: string | null; due: boolean } | null;
  services: {
    name: string;
    team: string | null;
    escalation_policy: string | null;
    runbooks: string[];
    ready: boolean;
  }[];
  schedules: { schedule: string; time_zone: string; gaps: { start: string; end: string }[] }[];
  last_exercise_at: string | null;
  days_since_last_exercise: number | null;
}

/** GET /api/v1/exercises: one exercise. */
export interface Exercise {
  id: string;
  plan_name: string;
  kind: 'tabletop' | 'game_day';
  title: string;
  severity: string;
  scheduled_at: string;
  started_at: string | null;
  incident_id: string | null;
}
