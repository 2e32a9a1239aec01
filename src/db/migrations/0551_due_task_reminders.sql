-- Due tasks (issue 11 §1): a task or action item with a due time reminds its owner before it is due
-- (plan tasks.remindBefore) and pages the plan's tasks.escalateTo once it is overdue. Each happens
-- once per due time: a new due time clears both marks.
alter table action_items add column due_reminded_at timestamptz;
alter table action_items add column overdue_escalated_at timestamptz;
create index action_items_open_due_marks on action_items (due_at)
  where status in ('open', 'in_progress') and due_at is not null
    and (due_reminded_at is null or overdue_escalated_at is null);
