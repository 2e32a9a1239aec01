-- Wake the engine on new work. A statement-level trigger sends NOTIFY tocsin_work when rows the
-- engine acts on are inserted; PostgreSQL delivers it only when the transaction commits (and folds
-- repeats within one transaction into one), so every engine instance LISTENing runs its next pass at
-- once instead of at its next poll (src/engine/wake.ts). Polling stays as the safety net.
create function tocsin_notify_work() returns trigger language plpgsql as $$
begin
  perform pg_notify('tocsin_work', '');
  return null;
end
$$;

create trigger incident_events_wake after insert on incident_events
  for each statement execute function tocsin_notify_work();
create trigger outbox_wake after insert on outbox
  for each statement execute function tocsin_notify_work();
create trigger escalations_wake after insert on escalations
  for each statement execute function tocsin_notify_work();
create trigger alerts_wake after insert on alerts
  for each statement execute function tocsin_notify_work();
