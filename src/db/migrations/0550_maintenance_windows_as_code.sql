-- Maintenance windows as code (issue 11 §3.12): `kind: MaintenanceWindow` documents for
-- `tocsin apply`. A document covering several services is one suppressions row per service, all
-- with the document's name; applying it again updates those rows in place.

-- The document's metadata.name (null for windows made through the API or CLI one by one).
alter table suppressions add column name text;
-- suppress: no incident, nobody paged (the alert is kept, routed 'suppressed:<id>');
-- downgrade: incidents open, but their pages are best effort (first step, nothing that rings).
alter table suppressions add column mode text not null default 'suppress'
  check (mode in ('suppress', 'downgrade'));
-- A weekly window: each week, from starts_at's wall time in time_zone, for occurrence_seconds;
-- ends_at is then when the recurrence stops.
alter table suppressions add column recurrence text check (recurrence in ('weekly'));
alter table suppressions add column occurrence_seconds integer check (occurrence_seconds > 0);
alter table suppressions add column time_zone text;
-- The file it was applied from: applying that file again without it ends it.
alter table suppressions add column source_file text;
create index suppressions_name on suppressions (name) where name is not null;
