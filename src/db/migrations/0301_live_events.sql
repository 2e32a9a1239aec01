-- Live events for the web console (GET /api/v1/events/stream). Row triggers send NOTIFY
-- tocsin_events with {"kind","id",...}; PostgreSQL delivers it only when the transaction commits and
-- folds identical payloads within one transaction, so a change made by any instance (API, CLI,
-- alert ingest, engine) reaches every instance's stream once, and a rolled-back change never does.

create function tocsin_notify_event(kind text, id text, extra jsonb) returns void language plpgsql as $$
begin
  perform pg_notify('tocsin_events', (jsonb_build_object('kind', kind, 'id', id) || coalesce(extra, '{}'))::text);
end
$$;

-- The incident itself, and every table whose rows show on its page.
create function tocsin_event_incident() returns trigger language plpgsql as $$
begin
  perform tocsin_notify_event('incident.changed', new.id::text, null);
  return null;
end
$$;
create function tocsin_event_incident_part() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    perform tocsin_notify_event('incident.changed', old.incident_id::text, null);
  else
    perform tocsin_notify_event('incident.changed', new.incident_id::text, null);
  end if;
  return null;
end
$$;
create trigger incidents_event after insert or update on incidents
  for each row execute function tocsin_event_incident();
create trigger incident_events_event after insert on incident_events
  for each row execute function tocsin_event_incident_part();
create trigger incident_roles_event after insert or update or delete on incident_roles
  for each row execute function tocsin_event_incident_part();
create trigger incident_responders_event after insert or update or delete on incident_responders
  for each row execute function tocsin_event_incident_part();
create trigger checklist_items_event after insert or update or delete on checklist_items
  for each row execute function tocsin_event_incident_part();
create trigger hypotheses_event after insert or update or delete on hypotheses
  for each row execute function tocsin_event_incident_part();
create trigger incident_updates_event after insert or update or delete on incident_updates
  for each row execute function tocsin_event_incident_part();

create function tocsin_event_alert() returns trigger language plpgsql as $$
begin
  perform tocsin_notify_event('alert.changed', new.id::text,
    jsonb_build_object('incident_id', new.incident_id::text));
  return null;
end
$$;
-- Repeats of an open alert (count, last_seen_at) are the hot path of ingestion and change nothing a
-- reader acts on; NOTIFY serialises commits, so they send nothing. What a reader sees does.
create trigger alerts_event after insert on alerts
  for each row execute function tocsin_event_alert();
create trigger alerts_changed_event after update on alerts
  for each row when (
    old.status is distinct from new.status
    or old.incident_id is distinct from new.incident_id
    or old.severity is distinct from new.severity
    or old.summary is distinct from new.summary
    or old.routing is distinct from new.routing
  ) execute function tocsin_event_alert();

-- A page: an escalation (its step, status) and the messages it sent (their delivery state).
create function tocsin_event_escalation() returns trigger language plpgsql as $$
begin
  perform tocsin_notify_event('page.changed', new.id::text,
    jsonb_build_object('incident_id', new.incident_id::text));
  return null;
end
$$;
create trigger escalations_event after insert or update on escalations
  for each row execute function tocsin_event_escalation();
create function tocsin_event_page_message() returns trigger language plpgsql as $$
begin
  if new.escalation_id is not null and (tg_op = 'INSERT' or new.status is distinct from old.status) then
    perform tocsin_notify_event('page.changed', new.escalation_id::text,
      jsonb_build_object('incident_id', new.incident_id::text, 'user_id', new.user_id::text));
  end if;
  return null;
end
$$;
create trigger outbox_page_event after insert or update on outbox
  for each row execute function tocsin_event_page_message();

-- On call: a schedule (its layers) or an override on it.
create function tocsin_event_schedule() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    perform tocsin_notify_event('oncall.changed', old.id::text, null);
  else
    perform tocsin_notify_event('oncall.changed', new.id::text, null);
  end if;
  return null;
end
$$;
create function tocsin_event_override() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    perform tocsin_notify_event('oncall.changed', old.schedule_id::text, null);
  else
    perform tocsin_notify_event('oncall.changed', new.schedule_id::text, null);
  end if;
  return null;
end
$$;
create trigger schedules_event after insert or update or delete on schedules
  for each row execute function tocsin_event_schedule();
create trigger schedule_overrides_event after insert or update or delete on schedule_overrides
  for each row execute function tocsin_event_override();
