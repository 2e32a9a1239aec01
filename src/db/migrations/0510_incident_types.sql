-- Incident types (issue 11 §3.1): the plan's `types[].id` of an incident, beside its severity; null
-- when the plan has no types or none was given. Changing it is an operation with its own timeline
-- event (incident.type_changed), like severity.
alter table incidents add column type text;
