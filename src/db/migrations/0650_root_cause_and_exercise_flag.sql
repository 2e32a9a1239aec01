-- Reports (issue 15 §5, §8): the root-cause category a post-mortem records (one of the plan's
-- postmortem.rootCauseCategories when it lists them), and incidents declared by an exercise, which
-- reports leave out unless asked (include_exercises=true).
alter table postmortems add column root_cause_category text;
alter table incidents add column exercise boolean not null default false;
