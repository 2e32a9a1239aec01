-- Deactivating a person (issue 9: tocsin user deactivate): their tokens stop working and they are
-- paged no more; their history (incidents, audit) keeps their name.
alter table users add column deactivated_at timestamptz;
