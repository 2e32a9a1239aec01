-- Per-destination throttles (src/domain/notifications/queries.ts): the claim looks up what was sent
-- to a phone number in the last minute.
create index outbox_phone_destination on outbox (destination, sent_at) where channel in ('sms', 'voice');
