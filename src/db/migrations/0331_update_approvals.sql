-- Approvals of updates (the plan's approvals.external / approvals.internal): an update waits in
-- pending_approval until every required role or group has approved its current revision. An edit
-- makes a new revision, so approvals of an earlier text no longer count.

alter table incident_updates add column revision integer not null default 1;
alter table incident_updates add column updated_at timestamptz;

create table incident_update_reviews (
  id bigserial primary key,
  update_id bigint not null references incident_updates (id) on delete cascade,
  revision integer not null,
  verdict text not null check (verdict in ('approved', 'changes_requested')),
  -- The plan role or group this approval stands for (null for a request for changes).
  requirement text,
  user_id bigint references users (id),
  actor_name text not null,
  comment text not null default '',
  at timestamptz not null
);
create index incident_update_reviews_update on incident_update_reviews (update_id, revision);
-- One approval per requirement and revision, and one requirement per person and revision.
create unique index incident_update_reviews_requirement on incident_update_reviews (update_id, revision, requirement)
  where verdict = 'approved';
create unique index incident_update_reviews_person on incident_update_reviews (update_id, revision, user_id)
  where verdict = 'approved';
