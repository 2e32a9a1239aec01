-- When the workflow-timers pass next needs to look at each incident (issue 14): the pass reads only
-- the incidents whose timers are due (due_at <= now) instead of a snapshot of every open or recently
-- resolved incident each tick. '-infinity': look at it on the next pass whatever the clock (its
-- timeline changed since its timers were last worked out: declared, updated, paged, …); null: no
-- timer of its plan can fire until its timeline changes. A table of its own, so the incident row
-- (what the API answers) stays as it was.
create table incident_timers (
  incident_id bigint primary key references incidents (id) on delete cascade,
  due_at timestamptz
);
create index incident_timers_due on incident_timers (due_at) where due_at is not null;

-- The incidents the pass looked at before: open ones and those resolved in the last 30 days.
insert into incident_timers (incident_id, due_at)
select id, '-infinity' from incidents
 where resolved_at is null or resolved_at > now() - interval '30 days';
