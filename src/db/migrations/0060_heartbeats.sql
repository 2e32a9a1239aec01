-- Heartbeats: the last ping of each heartbeat integration (type 'heartbeat'; interval and grace live in
-- the integration's config). A row appears with the first ping or when the engine first finds the
-- heartbeat silent; until then the integration's creation time counts as its last sign of life.
create table heartbeats (
  integration_id bigint primary key references integrations (id) on delete cascade,
  -- new: never pinged; up: pinging; down: silent, its alert raised (and resolved by the next ping).
  state text not null default 'new' check (state in ('new', 'up', 'down')),
  last_ping_at timestamptz,
  pings bigint not null default 0,
  down_since timestamptz,
  updated_at timestamptz not null
);
