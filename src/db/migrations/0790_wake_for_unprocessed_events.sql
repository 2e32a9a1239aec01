-- Timeline events wake the engine only when the workflow-events pass has something to consume
-- (issue 14, writes lane). An event of a kind nothing reacts to (a note: incidents/events.ts
-- UNHEARD_KINDS) is written already processed on an open incident; the wake-up it used to send ran a
-- pass (a transaction, the module's lock, the claim, a commit with its WAL flush) that found nothing
-- to do. Still one notification per statement, and only when one of its rows is unprocessed.
create function tocsin_notify_unprocessed_events() returns trigger language plpgsql as $$
begin
  if exists (select 1 from inserted where processed_at is null) then
    perform pg_notify('tocsin_work', 'events');
  end if;
  return null;
end
$$;

drop trigger incident_events_wake on incident_events;
create trigger incident_events_wake after insert on incident_events
  referencing new table as inserted
  for each statement execute function tocsin_notify_unprocessed_events();
