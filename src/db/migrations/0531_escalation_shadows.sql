-- Shadow recipients (escalation policy steps' `shadows`): people who get every page of a step for
-- training, marked shadow, and cannot acknowledge. One row per shadow page, so an acknowledgement by a
-- shadow (API, CLI, Slack) is refused with a clear reason; shadows get no ack link or reply code.
create table escalation_shadows (
  escalation_id bigint not null references escalations (id) on delete cascade,
  incident_id bigint references incidents (id) on delete cascade,
  user_id bigint not null references users (id),
  step int not null,
  round int not null,
  at timestamptz not null,
  primary key (escalation_id, user_id, step, round)
);
create index escalation_shadows_incident on escalation_shadows (incident_id, user_id);
