import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';

// Row types of src/db/migrations/*.sql. Keep in step with the SQL: the migration test reads both.
type Json = ColumnType<unknown, unknown, unknown>;
type Ts = ColumnType<Date, Date | string, Date | string>;
type TsNull = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Id = ColumnType<string, never, never>;
type Ref = ColumnType<string, string | number | bigint, string | number | bigint>;

export interface UsersTable {
  id: Generated<string>;
  handle: string;
  name: string;
  email: string | null;
  role: 'viewer' | 'responder' | 'manager' | 'admin';
  leadership: Generated<boolean>;
  time_zone: Generated<string>;
  created_at: Ts;
  updated_at: Ts;
  deactivated_at: Generated<Date | null>;
  /** argon2id; null: no local password (not set yet, or signs in through OpenID Connect). */
  password_hash: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface TeamsTable {
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  created_at: Ts;
  updated_at: Ts;
  /** Deactivated teams page nobody and are left out of team lists (migration 0204). */
  deactivated_at: TsNull;
}

export interface TeamMembersTable {
  team_id: Ref;
  user_id: Ref;
  role: Generated<string>;
}

export interface ApiTokensTable {
  id: Generated<string>;
  user_id: Ref;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: Ts;
  last_used_at: TsNull;
  revoked_at: TsNull;
  expires_at: TsNull;
  from_env: Generated<boolean>;
}

export type ContactKindColumn = 'email' | 'sms' | 'voice' | 'push' | 'slack';

export interface ContactMethodsTable {
  id: Generated<string>;
  user_id: Ref;
  kind: ContactKindColumn;
  address: string;
  label: string | null;
  verified_at: TsNull;
  disabled: Generated<boolean>;
  code_hash: string | null;
  code_expires_at: TsNull;
  code_attempts: Generated<number>;
  code_generation: Generated<number>;
  code_sent_at: TsNull;
  created_at: Ts;
  updated_at: Ts;
}

export interface NotificationRulesTable {
  id: Generated<string>;
  user_id: Ref;
  position: number;
  contact_method_id: Ref;
  delay_seconds: number;
}

export interface UserQuietHoursTable {
  user_id: Ref;
  starts: string;
  ends: string;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: Ts;
  actor_id: Ref | null;
  actor_name: string;
  action: string;
  entity_type: string;
  entity_id: string;
  before: Json | null;
  after: Json | null;
}

export interface PlansTable {
  name: string;
  current_version: number;
  created_at: Ts;
  updated_at: Ts;
}

export interface PlanVersionsTable {
  plan_name: string;
  version: number;
  source: string;
  spec: Json;
  digest: string;
  created_at: Ts;
  created_by: string;
}

export interface IncidentsTable {
  id: Generated<string>;
  title: string;
  slug: string;
  summary: Generated<string>;
  impact: Generated<string>;
  service: string | null;
  customer_facing: Generated<boolean>;
  labels: ColumnType<
    Record<string, string>,
    Record<string, string> | string | undefined,
    Record<string, string> | string
  >;
  fields: ColumnType<
    Record<string, unknown>,
    Record<string, unknown> | string | undefined,
    Record<string, unknown> | string
  >;
  plan_name: string;
  plan_version: number;
  severity: string;
  /** The plan's types[].id (migration 0510); null: no type. */
  type: string | null;
  /** Confidential (migration 0520): only admins, its responders and confidential.visibleTo see it. */
  confidential: Generated<boolean>;
  /** Stands in for the title in the channel name and external text of a confidential incident. */
  code_name: string | null;
  /** high | low (migration 0540): low pages best effort, see paging/page-from-plan.ts. */
  urgency: Generated<string>;
  state: string;
  correlation_id: string;
  channel_name: string;
  /** The war-room call link (plan warRoom.url), null when the incident has none. */
  war_room_url: ColumnType<string | null, string | null | undefined, string | null>;
  /** Declared by an exercise (migration 0650): left out of reports unless include_exercises. */
  exercise: Generated<boolean>;
  mitigation: Json | null;
  resolution: Generated<string>;
  declared_at: Ts;
  detected_at: TsNull;
  acknowledged_at: TsNull;
  triaged_at: TsNull;
  first_update_at: TsNull;
  status_page_at: TsNull;
  mitigated_at: TsNull;
  resolved_at: TsNull;
  state_entered_at: Ts;
  severity_changed_at: TsNull;
  created_by: string;
  updated_at: Ts;
  /** The incident this one was merged into (migration 0561); null: not merged. */
  merged_into: ColumnType<string | null, string | null | undefined, string | null>;
}

/** When the workflow-timers pass next looks at an incident (migration 0720). */
export interface IncidentTimersTable {
  incident_id: Ref;
  /** -infinity (read as the number -Infinity): on the next pass; null: not until its timeline changes. */
  due_at: ColumnType<Date | number | null, Date | string | null, Date | string | null>;
}

export interface IncidentEventsTable {
  id: Generated<string>;
  incident_id: Ref;
  at: Ts;
  kind: string;
  actor_id: Ref | null;
  actor_name: string;
  data: ColumnType<Record<string, unknown>, Record<string, unknown> | string | undefined, never>;
  processed_at: TsNull;
}

export interface IncidentRolesTable {
  incident_id: Ref;
  role: string;
  user_id: Ref;
  assigned_at: Ts;
}

export interface IncidentRespondersTable {
  id: Generated<string>;
  incident_id: Ref;
  responder: string;
  user_id: Ref | null;
  reason: Generated<string>;
  source: string;
  added_at: Ts;
  joined_at: TsNull;
}

export interface HypothesesTable {
  id: Generated<string>;
  incident_id: Ref;
  statement: string;
  test_plan: Generated<string>;
  status: 'proposed' | 'confirmed' | 'rejected';
  result: Generated<string>;
  created_by: string;
  created_at: Ts;
  updated_at: Ts;
}

export interface ChecklistItemsTable {
  id: Generated<string>;
  incident_id: Ref;
  checklist: string;
  position: number;
  text: string;
  source: string;
  done_at: TsNull;
  done_by: string | null;
}

export interface IncidentUpdatesTable {
  id: Generated<string>;
  incident_id: Ref;
  audience: 'internal' | 'external';
  state: string;
  bodies: ColumnType<
    Record<string, string>,
    Record<string, string> | string,
    Record<string, string> | string
  >;
  status: 'draft' | 'pending_approval' | 'published';
  created_by: string;
  created_at: Ts;
  published_at: TsNull;
  /** Bumped by each edit: approvals are of one revision (0331_update_approvals.sql). */
  revision: Generated<number>;
  updated_at: TsNull;
  /** Set when external text matched a guard rail and was published anyway: who, why, what. */
  guard_override: ColumnType<unknown, string | null | undefined, string | null>;
  /** When the author said the next update of the audience comes (0251_update_next_update_at.sql). */
  next_update_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface IncidentUpdateReviewsTable {
  id: Generated<string>;
  update_id: Ref;
  revision: number;
  verdict: 'approved' | 'changes_requested';
  requirement: string | null;
  user_id: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  actor_name: string;
  comment: Generated<string>;
  at: Ts;
}

export interface ActionItemsTable {
  id: Generated<string>;
  incident_id: Ref | null;
  title: string;
  owner: string | null;
  due_at: TsNull;
  status: Generated<'open' | 'in_progress' | 'done' | 'cancelled'>;
  kind: Generated<'task' | 'action_item'>;
  source: string;
  created_at: Ts;
  priority: Generated<'low' | 'medium' | 'high' | 'urgent'>;
  tracker_url: string | null;
  team_id: Ref | null;
  description: Generated<string>;
  updated_at: TsNull;
  done_at: TsNull;
  overdue_reminded_at: TsNull;
  // Due tasks (0551_due_task_reminders.sql): reminded before due, escalated once overdue.
  due_reminded_at: TsNull;
  overdue_escalated_at: TsNull;
  // Tracker push (0671): the outbox row of the latest push to GitHub Issues or Jira.
  tracker_outbox_id: ColumnType<string | null, string | number | null | undefined, string | number | null>;
}

export interface PostmortemSection {
  id: string;
  title: string;
  body: string;
}

export interface PostmortemsTable {
  incident_id: Ref;
  title: string;
  status: Generated<'draft' | 'in_review' | 'published'>;
  due_at: TsNull;
  sections: ColumnType<PostmortemSection[], string, string>;
  created_at: Ts;
  updated_at: Ts;
  published_at: TsNull;
  published_by: string | null;
  /** One of the plan's postmortem.rootCauseCategories (migration 0650); null: not categorised. */
  root_cause_category: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Someone invited to a post-mortem meeting: a user (handle) or a mailing list / address. */
export interface MeetingPerson {
  name: string;
  email: string | null;
  handle: string | null;
}

/** A post-mortem's meeting (migration 0670); rescheduling bumps sequence under the same uid. */
export interface PostmortemMeetingsTable {
  incident_id: Ref;
  uid: string;
  sequence: Generated<number>;
  starts_at: Ts;
  ends_at: Ts;
  organizer: ColumnType<{ name: string; email: string }, string, string>;
  attendees: ColumnType<MeetingPerson[], string, string>;
  scheduled_by: string;
  created_at: Ts;
  updated_at: Ts;
}

/** One automatic check of a verification, as the plan version said when it started. */
export interface VerificationCheck {
  title: string;
  /** PromQL (the plan's query, else its metric name). */
  query: string;
  below?: number | undefined;
  above?: number | undefined;
  unit?: string | undefined;
}

/** What one run found for one check: ok null when it could not judge (no answer, no data). */
export interface VerificationResult {
  title: string;
  query: string;
  value: number | null;
  ok: boolean | null;
  error?: string | undefined;
}

export interface ActionApprovalGate {
  index: number;
  action: string;
  state?: string | undefined;
  by: string[];
  quorum: number;
}

export type GatedActionRequest =
  | { kind: 'severity'; from: string; to: string; reason: string }
  | { kind: 'state'; from: string; to: string; reason?: string; resolution?: string };

export interface IncidentActionApprovalsTable {
  id: Generated<string>;
  incident_id: Ref;
  action: ColumnType<GatedActionRequest, string, string>;
  gates: ColumnType<ActionApprovalGate[], string, string>;
  status: Generated<'pending' | 'approved' | 'rejected'>;
  requested_by_user_id: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  requested_by: string;
  requested_at: Ts;
  decided_at: TsNull;
  decided_by: string | null;
}

export interface IncidentActionApprovalVotesTable {
  id: Generated<string>;
  request_id: Ref;
  user_id: Ref;
  actor_name: string;
  verdict: 'approved' | 'rejected';
  counts_for: ColumnType<number[], string, string>;
  comment: Generated<string>;
  at: Ts;
}

export interface IncidentVerificationsTable {
  id: Generated<string>;
  incident_id: Ref;
  state: string;
  return_state: string;
  status: Generated<'watching' | 'passed' | 'failed' | 'cancelled'>;
  checks: ColumnType<VerificationCheck[], string, string>;
  started_at: Ts;
  window_ms: Ref;
  interval_ms: Ref;
  next_run_at: Ts;
  run_seq: Generated<string>;
  recorded_seq: Generated<string>;
  last_run_at: TsNull;
  last_results: ColumnType<VerificationResult[] | null, string | null, string | null>;
  ended_at: TsNull;
  reason: string | null;
}

export interface IncidentTargetBreachesTable {
  incident_id: Ref;
  target: string;
  due_at: Ts;
  breached_at: Ts;
}

export interface WorkflowRunsTable {
  id: Generated<string>;
  incident_id: Ref;
  plan_name: string;
  plan_version: number;
  workflow: string;
  trigger_key: string;
  fired_at: Ts;
  actions: Json;
  source: Generated<'plan' | 'workflow'>;
}

export interface OutboxTable {
  id: Generated<string>;
  incident_id: Ref | null;
  channel: string;
  destination: string;
  template: string | null;
  payload: Json;
  status: Generated<'pending' | 'sending' | 'sent' | 'failed' | 'cancelled'>;
  attempts: Generated<number>;
  next_attempt_at: Ts;
  provider_id: string | null;
  last_error: string | null;
  dedup_key: string | null;
  created_at: Ts;
  sent_at: TsNull;
  /** The person this message pages or notifies (null for channel posts and webhooks). */
  user_id: ColumnType<string | null, string | number | bigint | null | undefined, string | null>;
  escalation_id: ColumnType<string | null, string | number | bigint | null | undefined, string | null>;
  contact_method_id: ColumnType<string | null, string | number | bigint | null | undefined, string | null>;
}

export interface EscalationStep {
  escalateAfterSeconds: number;
  targets: { type: 'user' | 'schedule' | 'team' | 'group' | 'role' | 'email' | 'chat'; name: string }[];
  /** Shadow recipients: every page of the step, marked shadow, no acknowledging (absent: none). */
  shadows?: { type: 'user' | 'schedule' | 'team' | 'group' | 'role' | 'email' | 'chat'; name: string }[];
}

export interface EscalationShadowsTable {
  escalation_id: Ref;
  incident_id: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  user_id: Ref;
  step: number;
  round: number;
  at: Ts;
}

export interface EscalationPoliciesTable {
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  steps: ColumnType<EscalationStep[], string, string>;
  repeat: Generated<number>;
  created_at: Ts;
  updated_at: Ts;
}

export type EscalationStatus = 'active' | 'acknowledged' | 'resolved' | 'exhausted' | 'cancelled';

export interface EscalationsTable {
  id: Generated<string>;
  incident_id: Ref | null;
  kind: 'paging' | 'duration';
  source: string;
  steps: ColumnType<EscalationStep[], string, string>;
  repeat: Generated<number>;
  channels: ColumnType<string[], string | undefined, string>;
  message: string;
  step: Generated<number>;
  round: Generated<number>;
  next_at: TsNull;
  status: EscalationStatus;
  started_at: Ts;
  updated_at: Ts;
  ended_by: string | null;
}

export interface AckTokensTable {
  token_hash: string;
  code: string;
  escalation_id: Ref;
  incident_id: Ref | null;
  user_id: Ref;
  created_at: Ts;
  expires_at: Ts;
  used_at: TsNull;
}

/** A page or message whose recipient resolved to nobody (migration 0203), for /health/detailed. */
export interface UnroutedMessagesTable {
  id: Generated<string>;
  at: Ts;
  incident_id: Ref | null;
  recipient: string;
  what: string;
}

export interface EngineModulesTable {
  module: string;
  last_tick_at: TsNull;
  last_duration_ms: number | null;
  last_error: string | null;
  ticks: Generated<string>;
}

export interface ServicesTable {
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  team_id: Ref | null;
  plan_name: string | null;
  escalation_policy: string | null;
  rules: Json;
  created_at: Ts;
  updated_at: Ts;
}

export interface IntegrationsTable {
  id: Generated<string>;
  service_id: Ref;
  name: string;
  type: string;
  key: string;
  config: Json;
  disabled_at: TsNull;
  created_at: Ts;
  rotated_at: TsNull;
}

export type AlertStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface AlertsTable {
  id: Generated<string>;
  service_id: Ref;
  integration_id: Ref | null;
  dedup_key: string;
  status: AlertStatus;
  summary: string;
  source: Generated<string>;
  severity: Generated<string>;
  component: string | null;
  alert_group: string | null;
  alert_class: string | null;
  labels: ColumnType<
    Record<string, string>,
    Record<string, string> | string | undefined,
    Record<string, string> | string
  >;
  details: Json;
  links: Json;
  images: Json;
  count: Generated<number>;
  started_at: TsNull;
  first_seen_at: Ts;
  last_seen_at: Ts;
  acknowledged_at: TsNull;
  resolved_at: TsNull;
  incident_id: Ref | null;
  routed_at: TsNull;
  routing: string | null;
  route_after: TsNull;
  /** The incident this open alert was detached from (onIncidentResolved: detach), until decided again (0202). */
  detached_from: Ref | null;
  /** The latest payload once a repeat replaced the opening one; null: see the trigger event (0115). */
  raw: Json;
  updated_at: Ts;
}

/** The alerts the alert rules have yet to decide (migration 0740): a queue kept by alerts' triggers and markRouted. */
export interface AlertsUndecidedTable {
  alert_id: Ref;
}

export interface AlertEventsTable {
  id: Generated<string>;
  alert_id: Ref;
  at: Ts;
  kind: string;
  actor: string;
  data: Json;
}

export type HeartbeatState = 'new' | 'up' | 'down';

export interface HeartbeatsTable {
  integration_id: Ref;
  state: Generated<HeartbeatState>;
  last_ping_at: TsNull;
  pings: Generated<string>;
  down_since: TsNull;
  updated_at: Ts;
}

export interface SuppressionsTable {
  id: Generated<string>;
  kind: 'maintenance' | 'silence';
  service_id: Ref | null;
  matchers: ColumnType<{ name: string; op: '=' | '!=' | '=~' | '!~'; value: string }[], string, string>;
  starts_at: Ts;
  ends_at: Ts;
  ended_at: TsNull;
  ended_by: string | null;
  comment: string;
  created_by: string;
  created_at: Ts;
  // Maintenance windows as code (0550_maintenance_windows_as_code.sql).
  name: string | null;
  mode: Generated<'suppress' | 'downgrade'>;
  recurrence: 'weekly' | null;
  occurrence_seconds: number | null;
  time_zone: string | null;
  source_file: string | null;
}

// Detection sources (0090_detection_sources.sql): changes, HTTP checks, vendor status watches.
export interface ChangesTable {
  id: Generated<string>;
  service_id: Ref;
  integration_id: Ref | null;
  summary: string;
  source: Generated<string>;
  version: string | null;
  environment: string | null;
  happened_at: Ts;
  received_at: Ts;
  details: Json;
  links: Json;
  raw: Json;
}

export type CheckState = 'new' | 'up' | 'down';

export interface ChecksTable {
  id: Generated<string>;
  service_id: Ref;
  name: string;
  url: string;
  method: string;
  interval_ms: number;
  timeout_ms: number;
  expected_status: number;
  body_contains: string | null;
  max_latency_ms: number | null;
  severity: string;
  next_run_at: Ts;
  run_seq: Generated<string>;
  recorded_seq: Generated<string>;
  state: Generated<CheckState>;
  last_run_at: TsNull;
  last_status: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  created_at: Ts;
  updated_at: Ts;
}

export type VendorWatchState = 'new' | 'ok' | 'error';

export interface VendorWatchesTable {
  id: Generated<string>;
  service_id: Ref;
  name: string;
  url: string;
  components: ColumnType<string[], string, string>;
  interval_ms: number;
  timeout_ms: number;
  next_run_at: Ts;
  run_seq: Generated<string>;
  recorded_seq: Generated<string>;
  state: Generated<VendorWatchState>;
  component_status: ColumnType<Record<string, string>, string | undefined, string>;
  page_name: string | null;
  last_run_at: TsNull;
  last_error: string | null;
  created_at: Ts;
  updated_at: Ts;
}

export interface SchedulesTable {
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  time_zone: string;
  team_id: Ref | null;
  layers: Json;
  created_at: Ts;
  updated_at: Ts;
}

export interface ScheduleOverridesTable {
  id: Generated<string>;
  schedule_id: Ref;
  user_id: Ref;
  replaces_user_id: Ref | null;
  starts_at: Ts;
  ends_at: Ts;
  created_at: Ts;
  created_by: string;
}

export interface FeedTokensTable {
  user_id: Ref;
  token_hash: string;
  created_at: Ts;
}

export interface InboxItemsTable {
  id: Generated<string>;
  user_id: Ref;
  incident_id: Ref | null;
  escalation_id: Ref | null;
  dedup_key: string;
  title: string;
  body: string;
  url: string | null;
  created_at: Ts;
  read_at: TsNull;
}

export interface SessionsTable {
  id: Generated<string>;
  user_id: Ref;
  token_hash: string;
  method: string;
  created_at: Ts;
  last_seen_at: Ts;
  expires_at: Ts;
  revoked_at: TsNull;
  ip: string | null;
  user_agent: string | null;
}

export interface AuthLinksTable {
  id: Generated<string>;
  user_id: Ref;
  purpose: 'first' | 'invite' | 'reset';
  token_hash: string;
  created_at: Ts;
  expires_at: Ts;
  used_at: TsNull;
  created_by: string;
}

export interface SignInFailuresTable {
  id: Generated<string>;
  login: string;
  ip: string;
  at: Ts;
}

export interface OidcFlowsTable {
  state_hash: string;
  provider: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  created_at: Ts;
  expires_at: Ts;
}

export interface UserIdentitiesTable {
  provider: string;
  subject: string;
  user_id: Ref;
  email: string | null;
  created_at: Ts;
  last_sign_in_at: Ts;
}

// The public status page (0330_status_page.sql).
export type ComponentStatus =
  | 'operational'
  | 'degraded_performance'
  | 'partial_outage'
  | 'major_outage'
  | 'under_maintenance';
export type MaintenanceStatus = 'scheduled' | 'in_progress' | 'verifying' | 'completed';
type Bodies = ColumnType<
  Record<string, string>,
  Record<string, string> | string,
  Record<string, string> | string
>;

export interface StatusPageSettingsTable {
  id: Generated<number>;
  name: string;
  languages: ColumnType<string[], string, string>;
  guard_patterns: ColumnType<{ name: string; pattern: string }[], string | undefined, string>;
  updated_at: Ts;
}

export interface StatusPageComponentsTable {
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  is_group: Generated<boolean>;
  group_id: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  position: Generated<number>;
  status: Generated<ComponentStatus>;
  only_show_if_degraded: Generated<boolean>;
  created_at: Ts;
  updated_at: Ts;
}

export interface StatusPageComponentChangesTable {
  id: Generated<string>;
  component_id: Ref;
  status: ComponentStatus;
  at: Ts;
  incident_id: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  actor_name: string;
}

export interface StatusPageIncidentComponentsTable {
  incident_id: Ref;
  component_id: Ref;
}

export interface StatusPageMaintenancesTable {
  id: Generated<string>;
  name: string;
  status: MaintenanceStatus;
  emergency: Generated<boolean>;
  scheduled_for: Ts;
  scheduled_until: TsNull;
  auto_start: Generated<boolean>;
  auto_complete: Generated<boolean>;
  created_by: string;
  created_at: Ts;
  updated_at: Ts;
}

export interface StatusPageMaintenanceComponentsTable {
  maintenance_id: Ref;
  component_id: Ref;
}

export interface StatusPageMaintenanceUpdatesTable {
  id: Generated<string>;
  maintenance_id: Ref;
  status: MaintenanceStatus;
  bodies: Bodies;
  created_by: string;
  created_at: Ts;
}

export type SubscriberKind = 'email' | 'webhook';
export type SubscriberStatus = 'pending' | 'active' | 'unsubscribed';

export interface StatusPageSubscribersTable {
  id: Generated<string>;
  kind: SubscriberKind;
  address: string;
  language: string | null;
  status: SubscriberStatus;
  requested_ip: string | null;
  created_at: Ts;
  confirmed_at: TsNull;
  unsubscribed_at: TsNull;
}

export interface StatusPageSubscriberComponentsTable {
  subscriber_id: Ref;
  component_id: Ref;
}

export interface StatusPageSubscriberTokensTable {
  token_hash: string;
  subscriber_id: Ref;
  purpose: 'confirm' | 'unsubscribe';
  created_at: Ts;
  expires_at: TsNull;
}

export interface StatusPageSubscribeRequestsTable {
  id: Generated<string>;
  ip: string;
  address: string;
  at: Ts;
}

export interface IncidentAffectedUsersTable {
  incident_id: Ref;
  email: string;
  added_at: Ts;
  added_by: string;
}

/** Related incidents (migration 0560): one row per pair, low_id < high_id. */
export interface IncidentLinksTable {
  low_id: Ref;
  high_id: Ref;
  created_at: Ts;
  created_by: string;
}

/** A scheduled tabletop exercise or game day (migration 0651). */
export interface ExercisesTable {
  id: Generated<string>;
  plan_name: string;
  kind: 'tabletop' | 'game_day';
  title: string;
  severity: string;
  service: string | null;
  scenario: Generated<string>;
  scheduled_at: Ts;
  started_at: TsNull;
  incident_id: ColumnType<
    string | null,
    string | number | bigint | null | undefined,
    string | number | bigint | null
  >;
  created_at: Ts;
  created_by: string;
  /** Cancelled before it started (migration 0652). */
  cancelled_at: TsNull;
  cancelled_by: string | null;
  /** Could not start at its time (its plan or severity was gone): why (migration 0652). */
  failed_at: TsNull;
  failure: string | null;
}

export interface Database {
  exercises: ExercisesTable;
  sessions: SessionsTable;
  auth_links: AuthLinksTable;
  sign_in_failures: SignInFailuresTable;
  oidc_flows: OidcFlowsTable;
  user_identities: UserIdentitiesTable;
  changes: ChangesTable;
  checks: ChecksTable;
  vendor_watches: VendorWatchesTable;
  suppressions: SuppressionsTable;
  services: ServicesTable;
  integrations: IntegrationsTable;
  alerts: AlertsTable;
  alert_events: AlertEventsTable;
  alerts_undecided: AlertsUndecidedTable;
  heartbeats: HeartbeatsTable;
  users: UsersTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  api_tokens: ApiTokensTable;
  contact_methods: ContactMethodsTable;
  notification_rules: NotificationRulesTable;
  user_quiet_hours: UserQuietHoursTable;
  audit_log: AuditLogTable;
  plans: PlansTable;
  plan_versions: PlanVersionsTable;
  incidents: IncidentsTable;
  incident_timers: IncidentTimersTable;
  incident_events: IncidentEventsTable;
  incident_roles: IncidentRolesTable;
  incident_responders: IncidentRespondersTable;
  hypotheses: HypothesesTable;
  checklist_items: ChecklistItemsTable;
  incident_updates: IncidentUpdatesTable;
  action_items: ActionItemsTable;
  incident_target_breaches: IncidentTargetBreachesTable;
  workflow_runs: WorkflowRunsTable;
  outbox: OutboxTable;
  escalation_policies: EscalationPoliciesTable;
  escalations: EscalationsTable;
  ack_tokens: AckTokensTable;
  engine_modules: EngineModulesTable;
  unrouted_messages: UnroutedMessagesTable;
  schedules: SchedulesTable;
  schedule_overrides: ScheduleOverridesTable;
  feed_tokens: FeedTokensTable;
  inbox_items: InboxItemsTable;
  status_page_settings: StatusPageSettingsTable;
  status_page_components: StatusPageComponentsTable;
  status_page_component_changes: StatusPageComponentChangesTable;
  status_page_incident_components: StatusPageIncidentComponentsTable;
  status_page_maintenances: StatusPageMaintenancesTable;
  status_page_maintenance_components: StatusPageMaintenanceComponentsTable;
  status_page_maintenance_updates: StatusPageMaintenanceUpdatesTable;
  incident_update_reviews: IncidentUpdateReviewsTable;
  status_page_subscribers: StatusPageSubscribersTable;
  status_page_subscriber_components: StatusPageSubscriberComponentsTable;
  status_page_subscriber_tokens: StatusPageSubscriberTokensTable;
  status_page_subscribe_requests: StatusPageSubscribeRequestsTable;
  postmortems: PostmortemsTable;
  postmortem_meetings: PostmortemMeetingsTable;
  incident_affected_users: IncidentAffectedUsersTable;
  incident_verifications: IncidentVerificationsTable;
  incident_action_approvals: IncidentActionApprovalsTable;
  incident_action_approval_votes: IncidentActionApprovalVotesTable;
  escalation_shadows: EscalationShadowsTable;
  incident_links: IncidentLinksTable;
}

export type Db = Kysely<Database>;
/** Either the pool or an open transaction: queries.ts functions accept both. */
export type Executor = Kysely<Database> | Transaction<Database>;
export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
export type RowUpdate<T extends keyof Database> = Updateable<Database[T]>;
export type { Id };
