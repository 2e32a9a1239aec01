-- Pushing an action item to GitHub Issues or Jira (issue 15 item 7) goes through the outbox (channel
-- 'tracker'): the item remembers its latest push, and once that row is sent the engine copies the
-- created issue's URL (the row's provider_id) into tracker_url.
alter table action_items add column tracker_outbox_id bigint references outbox (id) on delete set null;
create index action_items_tracker_push on action_items (tracker_outbox_id)
  where tracker_outbox_id is not null and tracker_url is null;
