-- Issue 14 (ingest): a batch of new alerts written by one statement, its own transaction (the group
-- commit's flood path, src/domain/alerts/ingest-alert-events.ts), announces its alerts itself right
-- after its commit (alerts/queries.ts announceAlertsInserted) instead of through the insert triggers'
-- NOTIFY inside that transaction.
--
-- PostgreSQL serialises every transaction that sent a NOTIFY on one lock (async.c PreCommit_Notify:
-- notifications are queued in commit order), held from just before its commit record until the
-- commit is over — through its WAL flush and commit_delay. Sampled under the ingest benchmark, the
-- batch in flight beside another waited on it (wait event Lock:object) instead of sharing the other's
-- flush. A transaction that only notifies writes no WAL before its commit record, so it commits
-- without a flush and holds the lock for microseconds (migration 0820 does the same for incident
-- writes).
--
-- The ingest statement sets tocsin.alerts_announced_after_commit (set_config(…, true): its own
-- transaction only); the insert triggers then leave the alert.changed announcement and the
-- alert-rules wake to it. Every other insert of alerts, and any inside a caller's transaction, is
-- still announced by the triggers at its commit.

-- What the triggers below would have announced for the ingest statement's new alerts: alert.changed
-- for each (80 a notification, tocsin_notify_alerts_changed; a new alert has no incident yet), and
-- the alert-rules wake (a new alert is undecided: alerts_undecided_inserted queued it).
create function tocsin_announce_alerts_inserted(ids bigint[]) returns void language plpgsql as $$
begin
  if cardinality(ids) > 0 then
    perform tocsin_notify_alerts_changed(ids, array_fill(null::bigint, array[cardinality(ids)]));
    perform pg_notify('tocsin_work', 'alerts');
  end if;
end
$$;

create or replace function tocsin_event_alerts_inserted() returns trigger language plpgsql as $$
begin
  if current_setting('tocsin.alerts_announced_after_commit', true) = 'on' then
    return null;
  end if;
  perform tocsin_notify_alerts_changed(array_agg(id order by id), array_agg(incident_id order by id))
    from inserted;
  return null;
end
$$;

create or replace function tocsin_alerts_undecided_inserted() returns trigger
language plpgsql as $$
begin
  insert into alerts_undecided (alert_id) select id from inserted where routed_at is null;
  if found and current_setting('tocsin.alerts_announced_after_commit', true) is distinct from 'on' then
    perform pg_notify('tocsin_work', 'alerts');
  end if;
  return null;
end
$$;
