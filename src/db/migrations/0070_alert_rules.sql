-- From alerts to incidents: the alert-rules engine module, maintenance windows and silences.

-- When the rules module looks at an undecided alert again: set while an alert waits out its
-- service's self-healing grace period, so waiting alerts are not re-read (and cannot crowd out new
-- ones) on every tick.
alter table alerts add column route_after timestamptz;
-- The alerts that fed an incident (its alert list, grouping, "all alerts resolved").
create index alerts_incident on alerts (incident_id) where incident_id is not null;

-- Maintenance windows and silences: one shape (Alertmanager-style matchers on labels, optionally
-- bound to one service, active from starts_at until ends_at or until ended early), two kinds
-- because they are managed by different people and listed apart. Alerts they match are recorded
-- with routing 'suppressed:<id>', never dropped.
create table suppressions (
  id bigserial primary key,
  kind text not null check (kind in ('maintenance', 'silence')),
  service_id bigint references services (id) on delete cascade,
  -- [{ "name": label, "op": "=" | "!=" | "=~" | "!~", "value": text or regex }]: all must match.
  matchers jsonb not null default '[]',
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  -- Set when someone ends it before ends_at; it stops matching from then on.
  ended_at timestamptz,
  ended_by text,
  comment text not null,
  created_by text not null,
  created_at timestamptz not null,
  check (ends_at > starts_at)
);
create index suppressions_until on suppressions ((coalesce(ended_at, ends_at)));
create index suppressions_kind on suppressions (kind, starts_at desc);
