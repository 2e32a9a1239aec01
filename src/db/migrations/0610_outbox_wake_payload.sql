-- Delivery on commit: the outbox's wake-up names itself. A committed outbox row (a page, any
-- message) sends NOTIFY tocsin_work with payload 'outbox', so the engine starts delivering it at
-- once, apart from its pass (src/engine/engine.ts wake('outbox')), instead of when the pass reaches
-- the outbox module behind the modules before it. Other tables keep the empty payload (a pass).
create function tocsin_notify_outbox() returns trigger language plpgsql as $$
begin
  perform pg_notify('tocsin_work', 'outbox');
  return null;
end
$$;

drop trigger outbox_wake on outbox;
create trigger outbox_wake after insert on outbox
  for each statement execute function tocsin_notify_outbox();
