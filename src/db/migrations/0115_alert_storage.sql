-- Alert storage (issue 4, ingestion benchmark): a new alert wrote its payload twice — in alerts.raw
-- and again in its trigger event — so every new alert wrote about twice the bytes it needed. The
-- payload an alert opened with is now stored once, in its trigger event (alert_events.data.raw);
-- alerts.raw holds a payload only once a repeat replaced it (null: the opening payload, which
-- src/domain/alerts/queries.ts findAlert reads from the trigger event). Existing rows keep theirs.
alter table alerts alter column raw drop not null;
alter table alerts alter column raw drop default;
