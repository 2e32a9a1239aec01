-- Merged incidents (issue 11 §3.10): a duplicate incident is resolved as merged into another, which
-- takes over its alerts. Set once; an incident merged into another is never a merge target.
alter table incidents add column merged_into bigint references incidents (id);
create index incidents_merged_into on incidents (merged_into) where merged_into is not null;
