-- The public status page: its settings, components and groups (Statuspage's model: a group is a
-- component with group = true), each component's status history (for 90-day uptime), the
-- components an incident affects, and scheduled maintenance with its updates.

create table status_page_settings (
  id smallint primary key default 1 check (id = 1),
  name text not null,
  -- The languages a reader can switch between, in fallback order; empty: those of the plans.
  languages jsonb not null default '[]',
  updated_at timestamptz not null
);

create table status_page_components (
  id bigserial primary key,
  name text not null unique,
  description text not null default '',
  is_group boolean not null default false,
  group_id bigint references status_page_components (id) on delete set null,
  position integer not null default 0,
  status text not null default 'operational'
    check (status in ('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance')),
  only_show_if_degraded boolean not null default false,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

-- One row per status change: the 90-day uptime and the daily bars are computed from it.
create table status_page_component_changes (
  id bigserial primary key,
  component_id bigint not null references status_page_components (id) on delete cascade,
  status text not null,
  at timestamptz not null,
  incident_id bigint references incidents (id) on delete set null,
  actor_name text not null
);
create index status_page_component_changes_at on status_page_component_changes (component_id, at);

create table status_page_incident_components (
  incident_id bigint not null references incidents (id) on delete cascade,
  component_id bigint not null references status_page_components (id) on delete cascade,
  primary key (incident_id, component_id)
);

create table status_page_maintenances (
  id bigserial primary key,
  name text not null,
  status text not null check (status in ('scheduled', 'in_progress', 'verifying', 'completed')),
  emergency boolean not null default false,
  scheduled_for timestamptz not null,
  scheduled_until timestamptz,
  -- Whether the clock moves it: scheduled → in progress at scheduled_for, → completed at scheduled_until.
  auto_start boolean not null default true,
  auto_complete boolean not null default true,
  created_by text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index status_page_maintenances_open on status_page_maintenances (scheduled_for)
  where status <> 'completed';

create table status_page_maintenance_components (
  maintenance_id bigint not null references status_page_maintenances (id) on delete cascade,
  component_id bigint not null references status_page_components (id) on delete cascade,
  primary key (maintenance_id, component_id)
);

create table status_page_maintenance_updates (
  id bigserial primary key,
  maintenance_id bigint not null references status_page_maintenances (id) on delete cascade,
  status text not null,
  bodies jsonb not null,
  created_by text not null,
  created_at timestamptz not null
);
create index status_page_maintenance_updates_m on status_page_maintenance_updates (maintenance_id, id);

-- The status page's cache asks "did anything change?" once a second: these keep that cheap.
create index incidents_on_status_page on incidents (updated_at) where status_page_at is not null;
create index incident_updates_external on incident_updates (published_at)
  where audience = 'external' and status = 'published';
