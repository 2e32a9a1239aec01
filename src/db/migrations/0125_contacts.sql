-- Contact methods and notification rules (src/domain/contacts/): how each person is reached, and in
-- which order. Verification codes are stored only as a salted hash.
create table contact_methods (
  id bigserial primary key,
  user_id bigint not null references users (id) on delete cascade,
  kind text not null check (kind in ('email', 'sms', 'voice', 'push', 'slack')),
  address text not null,
  label text,
  verified_at timestamptz,
  disabled boolean not null default false,
  -- The current verification code: salt$sha256, its expiry, wrong tries so far, and a counter that
  -- makes each code's outbox dedup key unique.
  code_hash text,
  code_expires_at timestamptz,
  code_attempts integer not null default 0,
  code_generation integer not null default 0,
  code_sent_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (user_id, kind, address)
);

-- Rules and config files name a method by its label: one label per user.
create unique index contact_methods_label on contact_methods (user_id, label) where label is not null;

-- An SMS reply or a Slack button press names an address: whose verified method is it?
create index contact_methods_address on contact_methods (kind, address) where verified_at is not null;

create table notification_rules (
  id bigserial primary key,
  user_id bigint not null references users (id) on delete cascade,
  position integer not null,
  contact_method_id bigint not null references contact_methods (id) on delete cascade,
  delay_seconds integer not null check (delay_seconds >= 0),
  unique (user_id, position)
);

create index notification_rules_method on notification_rules (contact_method_id);

-- Quiet hours: a daily window in the user's time zone (users.time_zone) in which low-urgency
-- notifications are held; pages always go through. Null: none.
create table user_quiet_hours (
  user_id bigint primary key references users (id) on delete cascade,
  starts text not null check (starts ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  ends text not null check (ends ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$')
);
