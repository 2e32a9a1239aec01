-- Workflows: where a firing came from, and indexes for the workflow engine's per-tick reads.

-- 'plan' for rules compiled from the plan's fixed fields (targets, cadence), 'workflow' for its workflows.
alter table workflow_runs add column source text not null default 'workflow'
  check (source in ('plan', 'workflow'));

-- Per-incident firing counts over the last hour (the runaway-chain cap) and run listings by time.
create index workflow_runs_incident_fired on workflow_runs (incident_id, fired_at);

-- The last published update per incident and audience (cadence and `since: last_update` timers).
create index incident_updates_published on incident_updates (incident_id, audience, published_at)
  where status = 'published';
