-- "My incidents" (GET /api/v1/incidents?mine=true) asks, per incident, whether the caller holds a
-- role, responds or was paged: these indexes answer each of those by user.
create index if not exists incident_roles_user on incident_roles (user_id, incident_id);
create index if not exists incident_responders_user on incident_responders (user_id, incident_id)
  where user_id is not null;
create index if not exists outbox_user_incident on outbox (user_id, incident_id)
  where user_id is not null and incident_id is not null;
