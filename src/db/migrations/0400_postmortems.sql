-- Post-mortems and action items (issue 15). One post-mortem per incident, created when the incident
-- resolves and its plan's severity requires one; its sections are Markdown, drafted from the incident.
create table postmortems (
  incident_id bigint primary key references incidents (id) on delete cascade,
  title text not null,
  status text not null default 'draft' check (status in ('draft', 'in_review', 'published')),
  -- From the resolution, as the plan's severities[].postmortem.due says; null: no deadline.
  due_at timestamptz,
  -- [{ "id": "summary", "title": "Summary", "body": "…markdown…" }, …] in document order.
  sections jsonb not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  published_at timestamptz,
  published_by text
);
create index postmortems_open_due on postmortems (due_at) where status <> 'published';

-- Action items share the table of workflow tasks (kind 'action_item'), so an incident lists both.
alter table action_items
  add column priority text not null default 'medium' check (priority in ('low', 'medium', 'high', 'urgent')),
  add column tracker_url text,
  add column team_id bigint references teams (id) on delete set null,
  add column description text not null default '',
  add column updated_at timestamptz,
  add column done_at timestamptz,
  -- When the overdue reminder went out (once per due date: moving the due date clears it).
  add column overdue_reminded_at timestamptz;
alter table action_items drop constraint action_items_status_check;
alter table action_items
  add constraint action_items_status_check check (status in ('open', 'in_progress', 'done', 'cancelled'));
create index action_items_open_due on action_items (due_at)
  where kind = 'action_item' and status in ('open', 'in_progress');
create index action_items_incident on action_items (incident_id, id);
