-- Issue 14 (ingest CPU): the ingest statement's answer built as json text, and a run's empty
-- fields not sent.
--
-- The statement answered a jsonb array of {id, service_id, dedup_key, inserted}, one a run: each
-- object built by jsonb_build_object, walked again by jsonb_agg and printed by jsonb_out (≈ 29k of
-- its ≈ 420k instructions an alert, callgrind) for an answer that only goes to the client. json_agg
-- and json_build_object write the same array as text. The client (pg) reads json and jsonb alike,
-- so an instance not yet upgraded reads it too. A return type is not changed in place: the function
-- is dropped and created again in this migration's transaction.
--
-- A run's labels, links and images, when empty, and its null fields, are left out of the batch
-- (src/domain/alerts/queries.ts asSent): fewer keys to parse, sort and look up; the statement puts
-- back the columns' empty values. Otherwise as migration 0842.
drop function tocsin_upsert_trigger_runs(jsonb, timestamptz, boolean);
create function tocsin_upsert_trigger_runs(_runs jsonb, _at timestamptz, _refresh boolean) returns json
language plpgsql as $$
declare
  upserted_rows json;
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
      i.component, i.alert_group, i.alert_class, coalesce(i.labels, '{}'::jsonb),
      -- Sent once: read from the run's last payload where the sender put them (details_at): raw, or
      -- the trigger event's when the run has one payload.
      coalesce(i.details,
        case when i.details_at is null then null
          when i.raw is null then i.trigger_data #> array_prepend('raw', i.details_at)
          else i.raw #> i.details_at end,
        '{}'::jsonb), coalesce(i.links, '[]'::jsonb), coalesce(i.images, '[]'::jsonb), i.n,
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
  select coalesce(json_agg(json_build_object('id', u.id::text, 'service_id', u.service_id::text,
    'dedup_key', u.dedup_key, 'inserted', u.inserted)), '[]'::json)
  into upserted_rows from upserted u;
  return upserted_rows;
end
$$;
