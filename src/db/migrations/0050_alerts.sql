-- Alerts in: services, their integrations (inbound keys), alerts deduplicated per service and key.

create table services (
  id bigserial primary key,
  name text not null unique,
  description text not null default '',
  team_id bigint references teams (id),
  plan_name text references plans (name),
  escalation_policy text,
  -- Alert-to-incident rules (severity mapping, grouping, grace period, auto-resolve): see services.ts.
  rules jsonb not null default '{}',
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table integrations (
  id bigserial primary key,
  service_id bigint not null references services (id) on delete cascade,
  name text not null,
  type text not null,
  -- The routing key senders put in their URL or body. Shown to managers so it can be pasted into a
  -- sender, like PagerDuty's integration keys; rotating replaces it.
  key text not null unique,
  config jsonb not null default '{}',
  disabled_at timestamptz,
  created_at timestamptz not null,
  rotated_at timestamptz,
  unique (service_id, name)
);

create table alerts (
  id bigserial primary key,
  service_id bigint not null references services (id) on delete cascade,
  integration_id bigint references integrations (id) on delete set null,
  dedup_key text not null,
  status text not null check (status in ('triggered', 'acknowledged', 'resolved')),
  summary text not null,
  source text not null default '',
  severity text not null default 'error',
  component text,
  alert_group text,
  alert_class text,
  labels jsonb not null default '{}',
  details jsonb not null default '{}',
  links jsonb not null default '[]',
  images jsonb not null default '[]',
  count integer not null default 1,
  started_at timestamptz,
  first_seen_at timestamptz not null,
  last_seen_at timestamptz not null,
  acknowledged_at timestamptz,
  resolved_at timestamptz,
  incident_id bigint references incidents (id) on delete set null,
  -- Set by the alert-rules engine module once it decided what the alert does (incident, group,
  -- suppressed, self-healed); null = not yet decided.
  routed_at timestamptz,
  routing text,
  raw jsonb not null default '{}',
  updated_at timestamptz not null
);
-- At most one open alert per (service, dedup key): concurrent triggers of one key meet here.
create unique index alerts_open_dedup on alerts (service_id, dedup_key) where status <> 'resolved';
create index alerts_service_status on alerts (service_id, status, last_seen_at desc);
create index alerts_unrouted on alerts (first_seen_at) where routed_at is null;

create table alert_events (
  id bigserial primary key,
  alert_id bigint not null references alerts (id) on delete cascade,
  at timestamptz not null,
  kind text not null,
  actor text not null,
  data jsonb not null default '{}'
);
create index alert_events_alert on alert_events (alert_id, id);
