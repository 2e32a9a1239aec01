-- Issue 14 (incident writes): the announcements of committed incident writes (migration 0820) go
-- out in batches, one transaction for every request that committed while the previous batch was
-- in flight (incidents/queries.ts announceIncidentChange), instead of a round trip and a transaction
-- each. The same payloads as each write's own triggers would send: tocsin_notify_event's
-- incident.changed per incident (not set aside here: tocsin.announce_after_commit is unset in this
-- transaction), and one workflow-events wake when a write left an event to process — known to the
-- caller (wake), or looked up for the incidents whose writer could not tell (look: a locked change).
create function tocsin_announce_incidents(ids text[], wake boolean, look bigint[]) returns void
language plpgsql as $$
declare
  incident text;
begin
  foreach incident in array ids loop
    perform tocsin_notify_event('incident.changed', incident, null);
  end loop;
  if wake or exists (
    select 1 from incident_events where incident_id = any(look) and processed_at is null
  ) then
    perform pg_notify('tocsin_work', 'events');
  end if;
end
$$;
