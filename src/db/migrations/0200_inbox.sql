-- In-app inbox (issue 9): every page also lands here, so a person sees it in Tocsin even when no
-- provider (email, SMS, push …) is configured. One row per person and escalation step; a repeat of
-- the same step (dedup_key) adds nothing.
create table inbox_items (
  id bigserial primary key,
  user_id bigint not null references users (id) on delete cascade,
  incident_id bigint references incidents (id) on delete cascade,
  escalation_id bigint references escalations (id) on delete set null,
  dedup_key text not null,
  title text not null,
  body text not null,
  url text,
  created_at timestamptz not null,
  read_at timestamptz
);
create unique index inbox_items_dedup on inbox_items (user_id, dedup_key);
create index inbox_items_user on inbox_items (user_id, id desc);
