-- Issue 14 (ingest CPU): the alert rules' decision on an alert (routed_at set, routing and maybe
-- incident_id with it) no longer sends one NOTIFY tocsin_events per alert from the row trigger of
-- migration 0301 — a PL/pgSQL call, a NOTIFY, a message to every listening instance and a parse
-- there, per alert. The statement that records a tick's decisions (markRouted,
-- src/domain/alert-rules/queries.ts) announces them itself, 80 alerts a notification, in the batch
-- form of migration 0630 ({"kind":"alert.changed","batch":[{"id","incident_id"}, …]}), which
-- src/domain/events/events.ts turns back into one event per alert. Every other change a reader sees
-- keeps its row event.
create function tocsin_notify_alerts_changed(ids bigint[], incident_ids bigint[]) returns integer
language plpgsql as $$
declare
  chunk jsonb;
  sent integer := 0;
begin
  for chunk in
    select jsonb_agg(jsonb_build_object('id', r.id::text, 'incident_id', r.incident_id::text) order by r.n)
    from unnest(ids, incident_ids) with ordinality as r(id, incident_id, n)
    group by (r.n - 1) / 80
    order by (r.n - 1) / 80
  loop
    perform pg_notify('tocsin_events', jsonb_build_object('kind', 'alert.changed', 'batch', chunk)::text);
    sent := sent + 1;
  end loop;
  return sent;
end
$$;

drop trigger alerts_changed_event on alerts;
create trigger alerts_changed_event after update on alerts
  for each row when (
    (
      old.status is distinct from new.status
      or old.incident_id is distinct from new.incident_id
      or old.severity is distinct from new.severity
      or old.summary is distinct from new.summary
      or old.routing is distinct from new.routing
    )
    -- The routing decision: announced in batches by the statement that records it (see above).
    and not (old.routed_at is null and new.routed_at is not null)
  ) execute function tocsin_event_alert();
