-- A wake-up says what kind of work committed: NOTIFY tocsin_work's payload is 'alerts', 'events' or
-- 'escalations' (and 'outbox', migration 0610) instead of ''. The engine then runs only the modules
-- that react to that kind (src/engine/engine.ts wokenPass: alert routing, workflow events, paging,
-- delivery), not the timer modules, which run on the poll interval; '' still asks for a whole pass.
create function tocsin_notify_kind() returns trigger language plpgsql as $$
begin
  perform pg_notify('tocsin_work', tg_argv[0]);
  return null;
end
$$;

drop trigger incident_events_wake on incident_events;
create trigger incident_events_wake after insert on incident_events
  for each statement execute function tocsin_notify_kind('events');
drop trigger escalations_wake on escalations;
create trigger escalations_wake after insert on escalations
  for each statement execute function tocsin_notify_kind('escalations');
drop trigger alerts_wake on alerts;
create trigger alerts_wake after insert on alerts
  for each statement execute function tocsin_notify_kind('alerts');
