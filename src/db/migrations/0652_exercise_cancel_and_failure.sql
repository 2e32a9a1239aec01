-- Exercises (issue 15 §8): a scheduled exercise can be cancelled before it starts, and one that can no
-- longer start (its severity left the plan) is marked failed with the reason instead of retried forever.
alter table exercises
  add column cancelled_at timestamptz,
  add column cancelled_by text,
  add column failed_at timestamptz,
  add column failure text;
drop index exercises_due;
create index exercises_due on exercises (scheduled_at)
  where started_at is null and cancelled_at is null and failed_at is null;
