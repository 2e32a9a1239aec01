-- Outbox delivery (src/engine/outbox.ts) also reclaims `sending` rows whose lease (next_attempt_at)
-- ran out; 0001's outbox_due covers only pending rows.
create index outbox_leased on outbox (next_attempt_at) where status = 'sending';
