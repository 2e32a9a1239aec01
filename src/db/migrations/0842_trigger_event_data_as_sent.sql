-- Issue 14 (ingest CPU): a new alert's trigger event is stored as sent, not rebuilt.
--
-- The trigger event's data is {"raw": <the first payload>}. The statement built it per alert with
-- jsonb_build_object('raw', …), which walks the whole ~1 KB payload token by token and encodes it
-- again (≈ 34k of the statement's ≈ 455k instructions an alert, callgrind). The run now carries that
-- object itself (trigger_data, src/domain/alerts/queries.ts upsertTriggerRuns), parsed once with
-- the rest of the batch and stored as it is; raw comes only when the run's last payload differs from
-- its first (else the payload is read from trigger_data where needed). A run in the earlier shape
-- (raw, first_raw; an instance not yet upgraded) is still written as before. Otherwise as migration
-- 0710.
create or replace function tocsin_upsert_trigger_runs(_runs jsonb, _at timestamptz, _refresh boolean) returns jsonb
language plpgsql as $$
declare
  upserted_rows jsonb;
begin
  with i as (
    select * from jsonb_to_recordset(_runs) as i(
      key text, integration_id bigint, service_id bigint, dedup_key text, summary text, source text,
      severity text, component text, alert_group text, alert_class text, labels jsonb, details jsonb,
      details_at text[], links jsonb, images jsonb, started_at timestamptz, raw jsonb, n integer, first_raw jsonb,
      trigger_data jsonb,
      repeats_if_created integer, repeats_if_open integer, actor text)
  ),
  upserted as (
    insert into alerts as a (service_id, integration_id, dedup_key, status, summary, source, severity,
      component, alert_group, alert_class, labels, details, links, images, count, started_at,
      first_seen_at, last_seen_at, raw, updated_at)
    select i.service_id, i.integration_id, i.dedup_key, 'triggered', i.summary, i.source, i.severity,
      i.component, i.alert_group, i.alert_class, i.labels,
      -- Sent once: read from the run's last payload where the sender put them (details_at): raw, or
      -- the trigger event's when the run has one payload.
      coalesce(i.details,
        case when i.details_at is null then null
          when i.raw is null then i.trigger_data #> array_prepend('raw', i.details_at)
          else i.raw #> i.details_at end,
        '{}'::jsonb), i.links, i.images, i.n,
      i.started_at, _at, _at,
      -- Null unless the run's last payload differs from the one its trigger event logs (with
      -- trigger_data, raw is sent only then).
      case when i.trigger_data is not null or i.first_raw is not null then i.raw end, _at
    from i
    where i.key is null or exists (select 1 from integrations g
      where g.id = i.integration_id and g.key = i.key and g.disabled_at is null)
    on conflict (service_id, dedup_key) where status <> 'resolved' do update set
      summary = case when _refresh then excluded.summary else a.summary end,
      source = case when _refresh then excluded.source else a.source end,
      severity = case when _refresh then excluded.severity else a.severity end,
      labels = case when _refresh then excluded.labels else a.labels end,
      details = case when _refresh then excluded.details else a.details end,
      -- The proposed row carries no payload (see above), so a refresh reads the run's from `i`.
      raw = case when _refresh then (select coalesce(i.raw, i.trigger_data -> 'raw') from i
        where i.service_id = excluded.service_id and i.dedup_key = excluded.dedup_key) else a.raw end,
      count = a.count + excluded.count, last_seen_at = excluded.last_seen_at, updated_at = excluded.updated_at
      -- A detached alert (its incident resolved under onIncidentResolved: detach) triggering again is
      -- a recurrence: it goes back to the alert rules, which open (or reopen) an incident and page.
      , routed_at = case when a.detached_from is not null then null else a.routed_at end
      , routing = case when a.detached_from is not null then null else a.routing end
      , route_after = case when a.detached_from is not null then null else a.route_after end
    returning a.id, a.service_id, a.dedup_key, (a.xmax = 0) as inserted
  ),
  matched as (
    select u.id as alert_id, u.inserted, i.* from upserted u
    join i on i.service_id = u.service_id and i.dedup_key = u.dedup_key
  ),
  logged as (
    insert into alert_events (alert_id, at, kind, actor, data)
    select m.alert_id, _at, 'trigger', m.actor, coalesce(m.trigger_data, jsonb_build_object('raw', coalesce(m.first_raw, m.raw)))
      from matched m where m.inserted
    union all
    select m.alert_id, _at, 'repeat', m.actor, '{}'::jsonb from matched m
      cross join lateral generate_series(1, case when m.inserted then m.repeats_if_created else m.repeats_if_open end)
  )
  select coalesce(jsonb_agg(jsonb_build_object('id', u.id::text, 'service_id', u.service_id::text,
    'dedup_key', u.dedup_key, 'inserted', u.inserted)), '[]'::jsonb)
  into upserted_rows from upserted u;
  return upserted_rows;
end
$$;
