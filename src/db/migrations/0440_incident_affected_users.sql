-- The customers an incident affects, by email address: a plan group with `customers: affected`
-- reaches them (e.g. the post-incident email when the incident resolves).
create table incident_affected_users (
  incident_id bigint not null references incidents (id) on delete cascade,
  email text not null,
  added_at timestamptz not null,
  added_by text not null,
  primary key (incident_id, email)
);
