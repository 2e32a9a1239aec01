-- Status page subscribers (Statuspage's model): an email address confirmed by double opt-in, or a
-- webhook URL; optionally limited to some components, and reading one language. Every published
-- external update and maintenance notice is queued in the outbox once per matching subscriber.

create table status_page_subscribers (
  id bigserial primary key,
  kind text not null check (kind in ('email', 'webhook')),
  -- The email address (lower case) or the webhook URL.
  address text not null,
  -- The language the subscriber reads; null: the page's first language.
  language text,
  status text not null check (status in ('pending', 'active', 'unsubscribed')),
  requested_ip text,
  created_at timestamptz not null,
  confirmed_at timestamptz,
  unsubscribed_at timestamptz
);
create unique index status_page_subscribers_address on status_page_subscribers (kind, address)
  where status <> 'unsubscribed';
create index status_page_subscribers_active on status_page_subscribers (id) where status = 'active';

-- No row: every component (the whole page).
create table status_page_subscriber_components (
  subscriber_id bigint not null references status_page_subscribers (id) on delete cascade,
  component_id bigint not null references status_page_components (id) on delete cascade,
  primary key (subscriber_id, component_id)
);

-- Confirmation and unsubscribe links carry a random token; only its hash is stored. Each notice
-- gets its own unsubscribe token (the raw token exists only in that message).
create table status_page_subscriber_tokens (
  token_hash text primary key,
  subscriber_id bigint not null references status_page_subscribers (id) on delete cascade,
  purpose text not null check (purpose in ('confirm', 'unsubscribe')),
  created_at timestamptz not null,
  expires_at timestamptz
);
create index status_page_subscriber_tokens_subscriber on status_page_subscriber_tokens (subscriber_id);

-- Every public subscribe request, so the limits per client address and per subscribed address hold
-- across instances.
create table status_page_subscribe_requests (
  id bigserial primary key,
  ip text not null,
  address text not null,
  at timestamptz not null
);
create index status_page_subscribe_requests_ip on status_page_subscribe_requests (ip, at);
create index status_page_subscribe_requests_address on status_page_subscribe_requests (address, at);
