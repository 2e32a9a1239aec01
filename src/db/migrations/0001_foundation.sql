-- Foundation: identity, audit, plans, incidents, workflows, outbox, engine bookkeeping.

create table users (
  id bigserial primary key,
  handle text not null unique,
  name text not null,
  email text unique,
  role text not null check (role in ('viewer', 'responder', 'manager', 'admin')),
  leadership boolean not null default false,
  time_zone text not null default 'UTC',
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table teams (
  id bigserial primary key,
  name text not null unique,
  description text not null default '',
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table team_members (
  team_id bigint not null references teams (id) on delete cascade,
  user_id bigint not null references users (id) on delete cascade,
  role text not null default 'member',
  primary key (team_id, user_id)
);

create table api_tokens (
  id bigserial primary key,
  user_id bigint not null references users (id) on delete cascade,
  name text not null,
  token_hash text not null unique,
  prefix text not null,
  created_at timestamptz not null,
  last_used_at timestamptz,
  revoked_at timestamptz
);

create table audit_log (
  id bigserial primary key,
  at timestamptz not null,
  actor_id bigint references users (id),
  actor_name text not null,
  action text not null,
  entity_type text not null,
  entity_id text not null,
  before jsonb,
  after jsonb
);
create index audit_log_entity on audit_log (entity_type, entity_id);

create table plans (
  name text primary key,
  current_version integer not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table plan_versions (
  plan_name text not null references plans (name),
  version integer not null,
  source text not null,
  spec jsonb not null,
  digest text not null,
  created_at timestamptz not null,
  created_by text not null,
  primary key (plan_name, version)
);

create table incidents (
  id bigserial primary key,
  title text not null,
  slug text not null,
  summary text not null default '',
  impact text not null default '',
  service text,
  customer_facing boolean not null default false,
  labels jsonb not null default '{}',
  fields jsonb not null default '{}',
  plan_name text not null,
  plan_version integer not null,
  severity text not null,
  state text not null,
  correlation_id text not null,
  channel_name text not null,
  mitigation jsonb,
  declared_at timestamptz not null,
  detected_at timestamptz,
  acknowledged_at timestamptz,
  triaged_at timestamptz,
  first_update_at timestamptz,
  status_page_at timestamptz,
  mitigated_at timestamptz,
  resolved_at timestamptz,
  state_entered_at timestamptz not null,
  created_by text not null,
  updated_at timestamptz not null,
  foreign key (plan_name, plan_version) references plan_versions (plan_name, version)
);
create index incidents_open on incidents (declared_at) where resolved_at is null;

-- The timeline: every change and note. The workflow engine consumes rows with processed_at null.
create table incident_events (
  id bigserial primary key,
  incident_id bigint not null references incidents (id) on delete cascade,
  at timestamptz not null,
  kind text not null,
  actor_id bigint references users (id),
  actor_name text not null,
  data jsonb not null default '{}',
  processed_at timestamptz
);
create index incident_events_incident on incident_events (incident_id, id);
create index incident_events_unprocessed on incident_events (id) where processed_at is null;

create table incident_roles (
  incident_id bigint not null references incidents (id) on delete cascade,
  role text not null,
  user_id bigint not null references users (id),
  assigned_at timestamptz not null,
  primary key (incident_id, role)
);

create table incident_responders (
  id bigserial primary key,
  incident_id bigint not null references incidents (id) on delete cascade,
  responder text not null,
  user_id bigint references users (id),
  reason text not null default '',
  source text not null,
  added_at timestamptz not null,
  joined_at timestamptz,
  unique (incident_id, responder)
);

create table hypotheses (
  id bigserial primary key,
  incident_id bigint not null references incidents (id) on delete cascade,
  statement text not null,
  test_plan text not null default '',
  status text not null check (status in ('proposed', 'confirmed', 'rejected')),
  result text not null default '',
  created_by text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table checklist_items (
  id bigserial primary key,
  incident_id bigint not null references incidents (id) on delete cascade,
  checklist text not null,
  position integer not null,
  text text not null,
  source text not null,
  done_at timestamptz,
  done_by text
);
create index checklist_items_incident on checklist_items (incident_id, checklist, position);

create table incident_updates (
  id bigserial primary key,
  incident_id bigint not null references incidents (id) on delete cascade,
  audience text not null check (audience in ('internal', 'external')),
  state text not null,
  bodies jsonb not null,
  status text not null check (status in ('draft', 'pending_approval', 'published')),
  created_by text not null,
  created_at timestamptz not null,
  published_at timestamptz
);
create index incident_updates_incident on incident_updates (incident_id, created_at);

create table action_items (
  id bigserial primary key,
  incident_id bigint references incidents (id) on delete cascade,
  title text not null,
  owner text,
  due_at timestamptz,
  status text not null default 'open' check (status in ('open', 'done', 'cancelled')),
  kind text not null default 'task' check (kind in ('task', 'action_item')),
  source text not null,
  created_at timestamptz not null
);

create table incident_target_breaches (
  incident_id bigint not null references incidents (id) on delete cascade,
  target text not null,
  due_at timestamptz not null,
  breached_at timestamptz not null,
  primary key (incident_id, target)
);

-- One row per workflow firing: the unique key is what makes the evaluator idempotent.
create table workflow_runs (
  id bigserial primary key,
  incident_id bigint not null references incidents (id) on delete cascade,
  plan_name text not null,
  plan_version integer not null,
  workflow text not null,
  trigger_key text not null,
  fired_at timestamptz not null,
  actions jsonb not null default '[]',
  unique (incident_id, workflow, trigger_key)
);

-- Messages to send. Providers (email, chat, webhooks, phone) deliver them from here.
create table outbox (
  id bigserial primary key,
  incident_id bigint references incidents (id) on delete set null,
  channel text not null,
  destination text not null,
  template text,
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  provider_id text,
  last_error text,
  dedup_key text unique,
  created_at timestamptz not null,
  sent_at timestamptz
);
create index outbox_due on outbox (next_attempt_at) where status = 'pending';

create table engine_modules (
  module text primary key,
  last_tick_at timestamptz,
  last_duration_ms integer,
  last_error text,
  ticks bigint not null default 0
);
