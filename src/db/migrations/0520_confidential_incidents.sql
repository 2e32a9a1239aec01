-- Confidential incidents (issue 11 §3.2): seen only by admins, the incident's own responders and the
-- roles/groups the plan names (confidential.visibleTo); everyone else gets 404 and lists omit them.
-- The code name stands in for the title in the chat channel and in any external text.
alter table incidents add column confidential boolean not null default false;
alter table incidents add column code_name text;
