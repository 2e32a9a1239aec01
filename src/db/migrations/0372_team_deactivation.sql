-- Issue 9 (day one): a team that is disbanded is deactivated, not deleted (its name stays on services,
-- incidents and audit entries): nobody is paged through it and it is no longer offered in team lists.
alter table teams add column deactivated_at timestamptz;
