-- Indexes that fit each list's order and filters, so a page is read in index order (keyset
-- pagination, src/lib/cursor.ts) instead of sorting the whole table. B-tree indexes are read
-- backwards for the lists' newest-first order.

-- Incidents: ORDER BY declared_at DESC, id DESC; filters state (open/resolved), severity, plan.
drop index if exists incidents_open;
create index incidents_open on incidents (declared_at, id) where resolved_at is null;
create index incidents_declared on incidents (declared_at, id);
create index incidents_severity_declared on incidents (severity, declared_at, id);
create index incidents_plan_declared on incidents (plan_name, declared_at, id);

-- Alerts: ORDER BY last_seen_at DESC, id DESC (a service's alerts: alerts_service_status).
create index alerts_last_seen on alerts (last_seen_at, id);

-- Audit: ORDER BY id DESC, by entity type and entity.
drop index if exists audit_log_entity;
create index audit_log_entity on audit_log (entity_type, entity_id, id);
create index audit_log_entity_type on audit_log (entity_type, id);

-- Pages (escalations): ORDER BY id DESC, by status.
create index escalations_status on escalations (status, id);
