-- Related incidents (issue 11 §3.10): a link is symmetric, so it is stored once with the smaller id
-- first; the check and the key make a repeated or reversed link the same row (linking is idempotent).
create table incident_links (
  low_id bigint not null references incidents (id) on delete cascade,
  high_id bigint not null references incidents (id) on delete cascade,
  created_at timestamptz not null,
  created_by text not null,
  primary key (low_id, high_id),
  check (low_id < high_id)
);
-- The key serves lookups from the low side; this one from the high side.
create index incident_links_high on incident_links (high_id);
