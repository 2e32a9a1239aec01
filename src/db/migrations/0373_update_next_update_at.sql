-- "Next update at" as the author of an update promised it: the next update of that audience is due
-- then (reminders and overdue marks follow it) instead of at the plan's cadence.
alter table incident_updates add column next_update_at timestamptz;
