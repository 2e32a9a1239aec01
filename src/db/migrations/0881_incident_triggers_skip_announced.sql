-- Issue 14 (incident writes): the row triggers of an incident and of its parts (migration 0301) skip
-- the incident its own statement announces after its commit (migration 0820) without a nested call.
-- They asked tocsin_notify_event, which decides to skip it: a `perform` is a query through SPI and a
-- second PL/pgSQL function, for every row a write touches — on the write benchmark ~7 rows an
-- incident (the incident inserted and moved, its events, its checklist items), each skipped. The same
-- test in the trigger itself is one expression; anything else still goes through tocsin_notify_event,
-- which keeps its own test for other callers. (A trigger WHEN clause would not queue the skipped
-- rows at all, but it is evaluated as each row is written, before the statement's set_config CTE has
-- necessarily run: see incidents/queries.ts announcedAfterCommit.)
create or replace function tocsin_event_incident() returns trigger language plpgsql as $$
begin
  if new.id::text is not distinct from current_setting('tocsin.announce_after_commit', true) then
    return null;
  end if;
  perform tocsin_notify_event('incident.changed', new.id::text, null);
  return null;
end
$$;

create or replace function tocsin_event_incident_part() returns trigger language plpgsql as $$
declare
  incident text;
begin
  if tg_op = 'DELETE' then
    incident := old.incident_id::text;
  else
    incident := new.incident_id::text;
  end if;
  if incident is not distinct from current_setting('tocsin.announce_after_commit', true) then
    return null;
  end if;
  perform tocsin_notify_event('incident.changed', incident, null);
  return null;
end
$$;
