-- Issue 14 (ingest CPU): the engine's alert routing is woken ('alerts' on tocsin_work) only by a
-- commit that left it an alert to decide, not by every insert statement on alerts.
--
-- alerts_wake (migration 0611) was a statement trigger on insert: it fired for every ingest batch,
-- also one whose rows were all repeats of open alerts (INSERT … ON CONFLICT DO UPDATE runs the
-- statement's insert triggers whatever it did), and each such wake-up cost the engine a routing pass
-- that found nothing (its transaction, lock and claim). The triggers that put an alert in the queue
-- of undecided alerts (migration 0740) know whether they did: they now notify, and alerts_wake goes.
-- pg_notify sends one 'alerts' per transaction however many statements ask for it.
drop trigger alerts_wake on alerts;

-- New alerts, once per statement: a wake-up only if one of them awaits a decision.
create or replace function tocsin_alerts_undecided_inserted() returns trigger
language plpgsql as $$
begin
  insert into alerts_undecided (alert_id) select id from inserted where routed_at is null;
  if found then
    perform pg_notify('tocsin_work', 'alerts');
  end if;
  return null;
end
$$;

-- A decided alert made undecided again (a detached alert triggering anew): the rules decide it again.
create or replace function tocsin_alerts_undecided_again() returns trigger
language plpgsql as $$
begin
  insert into alerts_undecided (alert_id) values (new.id) on conflict do nothing;
  perform pg_notify('tocsin_work', 'alerts');
  return null;
end
$$;
