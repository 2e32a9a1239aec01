-- Paging: escalation policies (config as code), running escalations per incident, the people each
-- outbox message pages, and acknowledgement tokens (email link, SMS reply code, voice keypress).

create table escalation_policies (
  id bigserial primary key,
  name text not null unique,
  description text not null default '',
  -- [{ "escalateAfterSeconds": 300, "targets": [{ "type": "user|schedule|team", "name": "…" }] }]
  steps jsonb not null,
  repeat integer not null default 0 check (repeat between 0 and 9),
  created_at timestamptz not null,
  updated_at timestamptz not null
);

-- One row per running escalation. kind paging stops at acknowledgement; kind duration (a plan's
-- elapsed-time tiers) keeps going until the incident is resolved. The engine module `escalations`
-- notifies the current step when next_at comes and moves on.
create table escalations (
  id bigserial primary key,
  incident_id bigint references incidents (id) on delete cascade,
  kind text not null check (kind in ('paging', 'duration')),
  -- Why it runs, unique per incident: "severity", "tier:L2", "responder:sre-on-call", "manual:<n>".
  source text not null,
  -- The steps as they were when the escalation started (targets are resolved at each step's time).
  steps jsonb not null,
  repeat integer not null default 0,
  -- Contact kinds the plan allows for this page (empty: each person's own rules).
  channels jsonb not null default '[]',
  message text not null,
  step integer not null default 0,
  round integer not null default 0,
  next_at timestamptz,
  status text not null check (status in ('active', 'acknowledged', 'resolved', 'exhausted', 'cancelled')),
  started_at timestamptz not null,
  updated_at timestamptz not null,
  ended_by text,
  unique (incident_id, source)
);
create index escalations_due on escalations (next_at) where status = 'active';

alter table outbox
  add column user_id bigint references users (id) on delete set null,
  add column escalation_id bigint references escalations (id) on delete cascade,
  add column contact_method_id bigint;
alter table outbox drop constraint outbox_status_check;
alter table outbox
  add constraint outbox_status_check check (status in ('pending', 'sending', 'sent', 'failed', 'cancelled'));
create index outbox_escalation on outbox (escalation_id) where escalation_id is not null;
create index outbox_incident on outbox (incident_id, id) where incident_id is not null;

-- What a paged person may use to acknowledge: a link token (stored hashed) and a short reply code.
create table ack_tokens (
  token_hash text primary key,
  code text not null,
  escalation_id bigint not null references escalations (id) on delete cascade,
  incident_id bigint references incidents (id) on delete cascade,
  user_id bigint not null references users (id) on delete cascade,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);
create index ack_tokens_escalation on ack_tokens (escalation_id, user_id);
create index ack_tokens_code on ack_tokens (user_id, code);
