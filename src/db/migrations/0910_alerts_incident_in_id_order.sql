-- An incident's alerts in id order, from the index alone.
--
-- Paging names an incident's first alert (paging/queries.ts firstAlertOf: where incident_id = $1
-- order by id limit 1). alerts_incident held only incident_id, so the planner could also read the
-- primary key in id order and filter on incident_id, stopping at the first match: cheap when the
-- incident's alerts look common and spread out, and it thought so whenever the table's statistics
-- were stale (a table not yet analyzed is given 0.5% of its rows per value). After a flood of alerts
-- that opened no incident (bench/peer.ts's ingest rounds: 30,000 in ~1 minute, before autovacuum's
-- first analyze of the table), every new incident's alert is behind all of them in id order: the
-- walk read ~30,000 rows, ~27 ms of PostgreSQL's CPU per page (0.07 ms by this index), and at 100
-- new incidents a second paging fell behind by seconds until autovacuum analyzed the table.
--
-- With id in the index, a scan of it answers in id order for any incident, stale statistics or not,
-- and the planner prefers it to the walk. It serves every query that used the old index (incident_id
-- leads), and adds nothing to an update's cost: id never changes, incident_id was indexed already.
drop index alerts_incident;
create index alerts_incident on alerts (incident_id, id) where incident_id is not null;
