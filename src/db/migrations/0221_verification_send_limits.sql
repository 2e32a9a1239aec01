-- Verification codes sent in the last hour are counted per user, per destination and server-wide
-- (src/domain/contacts/verification-limits.ts): keep those counts to a small index scan.
create index outbox_verification_sends on outbox (created_at) where template = 'contact-verify';
