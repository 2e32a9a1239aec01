-- Issue 14 (incident writes): a request that declares, moves or notes an incident in one statement,
-- its own transaction, announces the change itself right after its commit (incidents/queries.ts
-- announceIncidentChange) instead of through these triggers' NOTIFY inside that transaction.
-- PostgreSQL serialises every transaction that sent a NOTIFY on one lock (async.c PreCommit_Notify:
-- notifications are queued in commit order), held from just before its commit record until the
-- commit is over — through the commit's WAL flush (fdatasync, ~1 ms here) and commit_delay. So every
-- write request's commit waited for the one before it: sampled under 16 clients, ~2.8 of the ~4.5
-- busy connections waited on that lock (wait event Lock:object) while the cores were not full. A
-- transaction that only notifies writes no WAL before its commit record, so it commits without a
-- flush and holds the lock for microseconds; the write itself commits without the lock and can share
-- its flush with concurrent commits.
--
-- The statement names the incident it announces itself in tocsin.announce_after_commit
-- (set_config(…, true): its own transaction only, so nothing else is affected), and only its change
-- of that incident is left to it: the same incident.changed payload (tocsin_notify_event builds both),
-- and the workflow-events wake when the statement left an unprocessed event of that incident.
-- Everything else, and every write inside a caller's transaction, still notifies at its commit.
create or replace function tocsin_notify_event(kind text, id text, extra jsonb) returns void language plpgsql as $$
begin
  if kind = 'incident.changed' and id = current_setting('tocsin.announce_after_commit', true) then
    return;
  end if;
  perform pg_notify('tocsin_events', (jsonb_build_object('kind', kind, 'id', id) || coalesce(extra, '{}'))::text);
end
$$;

create or replace function tocsin_notify_unprocessed_events() returns trigger language plpgsql as $$
begin
  if exists (
    select 1 from inserted
    where processed_at is null
      and incident_id::text is distinct from current_setting('tocsin.announce_after_commit', true)
  ) then
    perform pg_notify('tocsin_work', 'events');
  end if;
  return null;
end
$$;
