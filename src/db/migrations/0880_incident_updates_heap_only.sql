-- Issue 14 (incident writes): an update of an incident that leaves its indexed columns alone (a move
-- to another open state, an acknowledgement, triage, a note's first-update stamp…) can be heap-only
-- (HOT): the new version goes on the same page and no index gets a new entry. None was: every write
-- sets updated_at, which incidents_on_status_page indexed, and PostgreSQL makes an update heap-only
-- only if no indexed column (predicate columns included) changes — so each transition wrote the row
-- and six index entries (the primary key, incidents_declared, incidents_open, incidents_plan_declared,
-- incidents_severity_declared), ≈ 0.5 KB of WAL, and left that many dead entries to vacuum.
--
-- The status page never searches incidents by updated_at: its stamp counts the incidents on the page
-- (status_page_at set) and its list takes the newest of them by declared_at (status-page/queries.ts
-- pageStamp, publicIncidents). The same partial index on columns that never change serves both.
drop index incidents_on_status_page;
create index incidents_on_status_page on incidents (declared_at, id) where status_page_at is not null;

-- Room for the new version on the incident's own page (new pages only): at ~220 B a row a full page
-- holds ~35 incidents and no room for one more version, so an update moved the row to another page
-- (and then wrote every index entry anyway). At 70% a page keeps ~2.4 KB for new versions until
-- pruning takes back the old ones; the price is a heap ~1.4 times as large.
alter table incidents set (fillfactor = 70);
