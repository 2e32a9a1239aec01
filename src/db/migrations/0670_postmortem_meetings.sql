-- Post-mortem meetings (issue 15 item 7): one per post-mortem. Scheduling it again moves it: the same
-- UID with the next SEQUENCE, so calendars update the event instead of adding a second one.
create table postmortem_meetings (
  incident_id bigint primary key references postmortems (incident_id) on delete cascade,
  uid text not null unique,
  sequence integer not null default 0,
  starts_at timestamptz not null,
  ends_at timestamptz not null check (ends_at > starts_at),
  -- { "name": "…", "email": "…" }: who the invitation is from (replies go there).
  organizer jsonb not null,
  -- [{ "name": "…", "email": "…" | null, "handle": "…" | null }, …]: everyone invited; those without
  -- an email address are listed but get no invitation.
  attendees jsonb not null,
  scheduled_by text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
