-- Other detection sources: change events (deploys, config changes), HTTP checks, vendor status pages.

-- Changes per service, from PagerDuty Change Events v2 (/v2/change/enqueue) or the generic deploy
-- webhook. An incident lists the changes of its services in the hours before it was declared.
create table changes (
  id bigserial primary key,
  service_id bigint not null references services (id) on delete cascade,
  integration_id bigint references integrations (id) on delete set null,
  summary text not null,
  -- Where the change was made (PagerDuty's payload.source: a build agent, a host, a pipeline).
  source text not null default '',
  version text,
  environment text,
  -- When the change happened: the sender's timestamp if it gave one, else when it arrived.
  happened_at timestamptz not null,
  received_at timestamptz not null,
  details jsonb not null default '{}',
  links jsonb not null default '[]',
  raw jsonb not null default '{}'
);
create index changes_service_time on changes (service_id, happened_at desc);

-- HTTP checks and vendor status watches share one scheduling scheme (src/domain/checks/probes.ts):
-- an engine claims the due rows (FOR UPDATE SKIP LOCKED), moves next_run_at one interval on and bumps
-- run_seq in its tick's transaction, makes the request outside any transaction, then records the
-- result in a transaction of its own unless a later run recorded first (recorded_seq). So each is
-- probed at most once per interval, however many engines run.
create table checks (
  id bigserial primary key,
  service_id bigint not null references services (id) on delete cascade,
  -- Unique across services: the API names a check by it; its alert's dedup key is check:<name>.
  name text not null unique,
  url text not null,
  method text not null default 'GET',
  interval_ms integer not null check (interval_ms > 0),
  timeout_ms integer not null check (timeout_ms > 0),
  expected_status integer not null default 200,
  body_contains text,
  max_latency_ms integer,
  severity text not null default 'error',
  next_run_at timestamptz not null,
  run_seq bigint not null default 0,
  recorded_seq bigint not null default 0,
  -- new: never run; up: the last run passed; down: it failed (its alert is open).
  state text not null default 'new' check (state in ('new', 'up', 'down')),
  last_run_at timestamptz,
  last_status integer,
  last_latency_ms integer,
  last_error text,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index checks_due on checks (next_run_at);

-- Third-party status pages in the Atlassian Statuspage v2 format (<url>/api/v2/summary.json).
create table vendor_watches (
  id bigserial primary key,
  service_id bigint not null references services (id) on delete cascade,
  -- Unique across services; alerts are keyed vendor:<name>:<component>.
  name text not null unique,
  url text not null,
  -- Names of the components to watch; [] watches every component on the page.
  components jsonb not null default '[]',
  interval_ms integer not null check (interval_ms > 0),
  timeout_ms integer not null check (timeout_ms > 0),
  next_run_at timestamptz not null,
  run_seq bigint not null default 0,
  recorded_seq bigint not null default 0,
  -- ok: the page was read; error: it could not be fetched or read (last_error says why).
  state text not null default 'new' check (state in ('new', 'ok', 'error')),
  -- Watched component name → its status when the page was last read.
  component_status jsonb not null default '{}',
  page_name text,
  last_run_at timestamptz,
  last_error text,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index vendor_watches_due on vendor_watches (next_run_at);
