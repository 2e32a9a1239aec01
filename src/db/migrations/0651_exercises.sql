-- Exercises (issue 15 §8): a tabletop exercise or game day scheduled against a live plan. When it
-- starts, it declares an incident marked exercise (pages and messages say so; reports leave it out).
create table exercises (
  id bigserial primary key,
  plan_name text not null,
  kind text not null check (kind in ('tabletop', 'game_day')),
  title text not null,
  severity text not null,
  service text,
  scenario text not null default '',
  scheduled_at timestamptz not null,
  started_at timestamptz,
  incident_id bigint references incidents (id),
  created_at timestamptz not null,
  created_by text not null
);
create index exercises_due on exercises (scheduled_at) where started_at is null;
