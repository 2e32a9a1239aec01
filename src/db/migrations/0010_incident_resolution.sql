-- The resolution summary given when an incident is resolved (post-mortems and status pages read it).
alter table incidents add column resolution text not null default '';
