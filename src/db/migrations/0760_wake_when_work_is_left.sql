-- Wake-ups only for work the engine still has to do at commit (issue 14, engine lane).
--
-- A new escalation woke the escalations module (payload 'escalations', migration 0611) even when the
-- transaction that started it also ran its first step (the alert-rules module runs a declared
-- incident's workflows, its first page among them, in the declaring transaction): the pass the
-- wake-up asked for found nothing due, a transaction, the lock and two claims for nothing. Now the
-- trigger runs at commit (a deferred constraint trigger, per inserted row: escalations are few) and
-- wakes the engine only when the escalation is still active with a step due as of its last write
-- (next_at <= updated_at: both from the engine's clock, which a database now() would not be).
-- A later step due on the clock is found by the engine's poll, as before.
create function tocsin_notify_escalation_due() returns trigger language plpgsql as $$
begin
  if exists (
    select 1 from escalations e
     where e.id = new.id and e.status = 'active' and e.next_at is not null and e.next_at <= e.updated_at
  ) then
    perform pg_notify('tocsin_work', 'escalations');
  end if;
  return null;
end
$$;

drop trigger escalations_wake on escalations;
create constraint trigger escalations_wake after insert on escalations
  deferrable initially deferred
  for each row execute function tocsin_notify_escalation_due();

-- Messages to people (destination user:, group:, role:) are fanned out by the escalations module, not
-- delivered by the outbox: they wake it with their own payload, 'messages', and a page to a contact
-- (the rest) wakes delivery ('outbox', migration 0610) without running the escalations module too.
create function tocsin_notify_outbox_kinds() returns trigger language plpgsql as $$
begin
  if exists (select 1 from inserted where destination ~ '^(user|group|role):') then
    perform pg_notify('tocsin_work', 'messages');
  end if;
  if exists (select 1 from inserted where destination !~ '^(user|group|role):') then
    perform pg_notify('tocsin_work', 'outbox');
  end if;
  return null;
end
$$;

drop trigger outbox_wake on outbox;
create trigger outbox_wake after insert on outbox
  referencing new table as inserted
  for each statement execute function tocsin_notify_outbox_kinds();
