-- New alerts announce themselves on tocsin_events once per statement, not once per row (issue 14,
-- ingest CPU): the group commit inserts up to 50 alerts in one statement, and a row trigger ran
-- PL/pgSQL, built a JSON payload and queued a notification for each (≈ 40 of ≈ 200 µs of backend CPU
-- per new alert, bench/profile-storage.ts with EXTRA="drop trigger alerts_event on alerts"). The
-- statement trigger sends the same events in batches: {"kind":"alert.changed","batch":[{"id",
-- "incident_id"}, …]}, 80 alerts a notification (well under NOTIFY's 8000-byte payload limit);
-- src/domain/events/events.ts turns a batch back into one event per alert. Updates keep their row
-- trigger (0301): they are rarer and filtered by what changed.
create function tocsin_event_alerts_inserted() returns trigger language plpgsql as $$
declare
  chunk jsonb;
begin
  for chunk in
    select jsonb_agg(jsonb_build_object('id', r.id::text, 'incident_id', r.incident_id::text))
    from (select id, incident_id, row_number() over () - 1 as n from inserted) r
    group by r.n / 80
  loop
    perform pg_notify('tocsin_events', jsonb_build_object('kind', 'alert.changed', 'batch', chunk)::text);
  end loop;
  return null;
end
$$;

drop trigger alerts_event on alerts;
create trigger alerts_event after insert on alerts referencing new table as inserted
  for each statement execute function tocsin_event_alerts_inserted();
