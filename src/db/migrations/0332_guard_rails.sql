-- Guard rails on external text: patterns a team adds to the built-in ones (internal hostnames, IP
-- addresses, email addresses, tokens, stack traces), and the reason given when someone publishes
-- text that matched anyway.
alter table status_page_settings add column guard_patterns jsonb not null default '[]';
alter table incident_updates add column guard_override jsonb;
