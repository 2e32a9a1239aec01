-- Urgency (issue 11 §3.9), separate from severity: a service's alert rules (or a declare) set it;
-- high pages as the plan says, low pages best effort (first step, nothing that rings, no escalation,
-- quiet hours honoured). Raising it to high pages fully; it is never lowered automatically.
alter table incidents add column urgency text not null default 'high' check (urgency in ('high', 'low'));
