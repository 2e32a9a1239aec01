-- The war-room link of an incident, rendered from the plan's warRoom.url when the incident is declared
-- (or first reaches a severity the war room is for): stored, so a later plan version or a changed
-- template never moves the call people already joined.
alter table incidents add column war_room_url text;
