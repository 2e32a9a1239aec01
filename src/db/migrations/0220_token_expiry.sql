-- API tokens can expire, and the token TOCSIN_ADMIN_TOKEN installed is known as such, so a changed
-- TOCSIN_ADMIN_TOKEN revokes the one it replaces.
alter table api_tokens add column expires_at timestamptz;
alter table api_tokens add column from_env boolean not null default false;
update api_tokens set from_env = true where name = 'TOCSIN_ADMIN_TOKEN';
create index api_tokens_user on api_tokens (user_id, created_at);
