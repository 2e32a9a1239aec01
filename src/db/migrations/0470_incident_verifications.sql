-- Resolution verification (issue 15): each time an incident enters its plan's verification state
-- (verification.state) with Prometheus configured, a row watches the plan's metric checks. The engine
-- module `verification` claims due rows (next_run_at, run_seq) like the HTTP checks do, queries
-- Prometheus outside any transaction and records the result (recorded_seq keeps results in order).
create table incident_verifications (
  id bigserial primary key,
  incident_id bigint not null references incidents (id) on delete cascade,
  -- The state it watches (the plan's verification.state when it started).
  state text not null,
  -- Where a breach returns the incident: verification.onBreach, else the state it came from.
  return_state text not null,
  status text not null default 'watching' check (status in ('watching', 'passed', 'failed', 'cancelled')),
  -- The automatic checks as the plan version said when it started: [{title, query, below, above, unit}].
  checks jsonb not null,
  started_at timestamptz not null,
  -- Every check must hold for this long (verification.monitorFor) before it passes.
  window_ms bigint not null,
  interval_ms bigint not null,
  next_run_at timestamptz not null,
  run_seq bigint not null default 0,
  recorded_seq bigint not null default 0,
  last_run_at timestamptz,
  -- [{title, query, value, ok, error}] of the last recorded run.
  last_results jsonb,
  ended_at timestamptz,
  reason text
);
create index incident_verifications_due on incident_verifications (next_run_at) where status = 'watching';
create index incident_verifications_incident on incident_verifications (incident_id, id);
