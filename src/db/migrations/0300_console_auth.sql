-- Web console sign-in (issue 12): local passwords, browser sessions, one-time links, sign-in
-- throttling and OpenID Connect. Every secret (session id, link token, OIDC state) is stored only as
-- its SHA-256 hash; passwords as argon2id hashes.

alter table users add column password_hash text;

-- A browser session. The cookie carries the random id; only its hash is here. A session ends at
-- expires_at (absolute), after the idle timeout since last_seen_at, or when revoked_at is set.
create table sessions (
  id bigserial primary key,
  user_id bigint not null references users (id) on delete cascade,
  token_hash text not null unique,
  -- password | first | invite | reset | oidc:<provider id>
  method text not null,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  ip text,
  user_agent text
);
create index sessions_user on sessions (user_id) where revoked_at is null;

-- One-time links: the admin's first sign-in, invites and password resets.
create table auth_links (
  id bigserial primary key,
  user_id bigint not null references users (id) on delete cascade,
  purpose text not null check (purpose in ('first', 'invite', 'reset')),
  token_hash text not null unique,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_by text not null
);
create index auth_links_user on auth_links (user_id, purpose) where used_at is null;

-- Failed sign-ins, read back to throttle guessing per login and per address (any instance).
create table sign_in_failures (
  id bigserial primary key,
  login text not null,
  ip text not null,
  at timestamptz not null
);
create index sign_in_failures_login on sign_in_failures (login, at);
create index sign_in_failures_ip on sign_in_failures (ip, at);

-- A sign-in through an OpenID provider under way: state (hashed), nonce and PKCE verifier, for ten
-- minutes at most.
create table oidc_flows (
  state_hash text primary key,
  provider text not null,
  nonce text not null,
  code_verifier text not null,
  return_to text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null
);

-- Which provider account is which user: matched by (provider, subject) after the first sign-in.
create table user_identities (
  provider text not null,
  subject text not null,
  user_id bigint not null references users (id) on delete cascade,
  email text,
  created_at timestamptz not null,
  last_sign_in_at timestamptz not null,
  primary key (provider, subject)
);
