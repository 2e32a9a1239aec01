-- Issue 14 (ingest CPU): an alert's log is one index, not two.
--
-- alert_events had a primary key on id and an index on (alert_id, id); every reader goes through
-- the second (listEvents: an alert's log in order; findAlert: its trigger event), and nothing looks
-- an event up by id alone or references one. Every new alert writes its trigger event, every routing
-- decision a 'routed' one, each an entry in both. The primary key is now (alert_id, id) — the same
-- order, the same lookups — and the separate index goes: one B-tree insert (≈ 70 B of WAL) less per
-- event. id still comes from its sequence, so it stays unique.
alter table alert_events drop constraint alert_events_pkey;
alter table alert_events add primary key (alert_id, id);
drop index alert_events_alert;
