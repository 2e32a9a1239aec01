-- Issue 9 (day one): a page or message whose recipient resolves to nobody (a group that names no one
-- Tocsin can message, a role nobody holds, a schedule with nobody on call …) was marked routed and
-- dropped. Each one is kept here so /health/detailed shows an operator how many there were and the
-- latest ones (with the incident's timeline saying the same).
create table unrouted_messages (
  id bigserial primary key,
  at timestamptz not null,
  incident_id bigint references incidents (id) on delete cascade,
  -- The target as written: group:customers, role:scribe, chat:#ops …
  recipient text not null,
  -- What reached nobody: "page, step 1 (severity)", "notify (auto)" …
  what text not null
);
create index unrouted_messages_at on unrouted_messages (at desc, id desc);
