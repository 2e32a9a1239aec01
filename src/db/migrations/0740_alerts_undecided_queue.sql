-- Issue 14 (ingest CPU): the alert rules' decision on an alert becomes a heap-only (HOT) update.
--
-- The partial index alerts_unrouted (first_seen_at) where routed_at is null named routed_at in its
-- predicate, so recording a decision (markRouted, src/domain/alert-rules/queries.ts) could never be
-- a HOT update: PostgreSQL wrote a new ~1 KB version of the alert on another page plus an entry in
-- each of its other indexes, ≈60 µs and ≈1.4 KB of WAL per alert. The undecided alerts are now a
-- narrow queue table instead, one id each: an alert enters it when inserted (or when a recurrence
-- makes the rules decide it again), and the statement that records its decision takes it out. No
-- index of alerts names routed_at, routing, route_after or detached_from any more, so the decision
-- (and a grace period's hold) leaves every index alone, and with room on the alert's page the new
-- version stays there, written to WAL as the few bytes that changed.
--
-- alerts.routed_at stays the truth (null: undecided) that API, console and rules read; the queue
-- only says where to look, and the claim still checks routed_at on the locked alert.
create table alerts_undecided (
  -- No foreign key: its check would cost every new alert a lookup and a row lock, and the only
  -- writers are alerts' own triggers below and markRouted. Deleting alerts deletes their entries
  -- (trigger alerts_undecided_deleted).
  alert_id bigint primary key
);

insert into alerts_undecided (alert_id) select id from alerts where routed_at is null;

-- New alerts, once per statement (the group commit inserts a batch of them in one).
create function tocsin_alerts_undecided_inserted() returns trigger
language plpgsql as $$
begin
  insert into alerts_undecided (alert_id) select id from inserted where routed_at is null;
  return null;
end
$$;
create trigger alerts_undecided_inserted after insert on alerts
  referencing new table as inserted for each statement execute function tocsin_alerts_undecided_inserted();

-- A decided alert made undecided again (a detached alert triggering anew: upsertTrigger and
-- tocsin_upsert_trigger_runs reset routed_at). Rare, so a row trigger whose WHEN is all most
-- updates pay.
create function tocsin_alerts_undecided_again() returns trigger
language plpgsql as $$
begin
  insert into alerts_undecided (alert_id) values (new.id) on conflict do nothing;
  return null;
end
$$;
create trigger alerts_undecided_again after update on alerts
  for each row when (old.routed_at is not null and new.routed_at is null)
  execute function tocsin_alerts_undecided_again();

-- What the foreign key's cascade would do, once per statement (alerts go only with their service).
create function tocsin_alerts_undecided_deleted() returns trigger
language plpgsql as $$
begin
  delete from alerts_undecided u using deleted d where u.alert_id = d.id;
  return null;
end
$$;
create trigger alerts_undecided_deleted after delete on alerts
  referencing old table as deleted for each statement execute function tocsin_alerts_undecided_deleted();

drop index alerts_unrouted;

-- Room for the decision's new version on the alert's own page: a tick decides a batch of alerts in
-- one transaction, often every alert of a page, and an old version is pruned only once that
-- transaction is over, so a page needs room for as many new versions as it holds alerts. At 60%
-- (new pages only) the profile's ~1 KB alerts leave 4 a page and room for 4 more, and every decision
-- is heap-only (bench/profile-storage.ts ROUTE=1: 0% → 100% HOT, routing WAL 1.9 KB → 0.6 KB an
-- alert); the price is a heap ~1.7 times as large.
alter table alerts set (fillfactor = 60);
