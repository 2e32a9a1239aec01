-- Approval gates on incident actions (plan approvals.actions): a gated action (resolve, a severity
-- change, entering a named state, closing) asked for by someone becomes a pending request; approvers
-- vote; on quorum the action is carried out as the requester asked, in the approving transaction.
create table incident_action_approvals (
  id bigserial primary key,
  incident_id bigint not null references incidents (id) on delete cascade,
  -- What was asked: {kind: 'severity', from, to, reason} or {kind: 'state', from, to, reason, resolution}.
  action jsonb not null,
  -- The plan's gates that apply, as the plan version said: [{index, action, state, by, quorum}].
  gates jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
  requested_by_user_id bigint references users (id),
  requested_by text not null,
  requested_at timestamptz not null,
  decided_at timestamptz,
  decided_by text
);
create index incident_action_approvals_incident on incident_action_approvals (incident_id, id);

create table incident_action_approval_votes (
  id bigserial primary key,
  request_id bigint not null references incident_action_approvals (id) on delete cascade,
  user_id bigint not null references users (id),
  actor_name text not null,
  verdict text not null check (verdict in ('approved', 'rejected')),
  -- Indexes (into the request's gates) of the gates whose approvers the voter was among when voting.
  counts_for jsonb not null,
  comment text not null default '',
  at timestamptz not null,
  unique (request_id, user_id)
);
