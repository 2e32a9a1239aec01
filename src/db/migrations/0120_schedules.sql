-- On-call schedules (issue 5): layers of rotations in one IANA zone, overrides, iCal feed tokens.
-- Layers are one jsonb array (name, type, shiftLength, handoff, handoffDay, start, participants as
-- user ids, restrictions): they are always read and written whole, and "who is on call" then needs
-- only the schedule row and its overrides.
create table schedules (
  id bigserial primary key,
  name text not null unique,
  description text not null default '',
  time_zone text not null,
  team_id bigint references teams (id) on delete set null,
  layers jsonb not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

-- user_id is on call for [starts_at, ends_at): instead of replaces_user_id only (a swap), or of
-- everyone when replaces_user_id is null.
create table schedule_overrides (
  id bigserial primary key,
  schedule_id bigint not null references schedules (id) on delete cascade,
  user_id bigint not null references users (id) on delete cascade,
  replaces_user_id bigint references users (id) on delete cascade,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  created_at timestamptz not null,
  created_by text not null,
  check (ends_at > starts_at)
);
create index schedule_overrides_window on schedule_overrides (schedule_id, ends_at, starts_at);

-- One calendar-feed secret per user, stored hashed: calendar apps cannot send a bearer token, so the
-- feed URL carries this instead. It opens the iCal feeds only, never the API.
create table feed_tokens (
  user_id bigint primary key references users (id) on delete cascade,
  token_hash text not null unique,
  created_at timestamptz not null
);
