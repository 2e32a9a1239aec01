-- When an incident's severity last changed: the anchor of its target due times when the plan says
-- targets count from the change (targetsFrom: severity_changed), and the floor of every due time
-- after a change (a raised severity's shorter target is never due in the past).
alter table incidents add column severity_changed_at timestamptz;
