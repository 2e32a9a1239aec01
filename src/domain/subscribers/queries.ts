import { sql } from 'kysely';
import type { Executor, NewRow, SubscriberKind } from '../../db/schema.ts';

// The SQL of status page subscribers: the subscribers, their components, their link tokens, and the
// log of public subscribe requests the rate limits count.

export function findLiveSubscriber(db: Executor, kind: SubscriberKind, address: string) {
  return db
    .selectFrom('status_page_subscribers')
    .selectAll()
    .where('kind', '=', kind)
    .where('address', '=', address)
    .where('status', '<>', 'unsubscribed')
    .forUpdate()
    .executeTakeFirst();
}

export function insertSubscriber(db: Executor, row: NewRow<'status_page_subscribers'>) {
  return db.insertInto('status_page_subscribers').values(row).returningAll().executeTakeFirstOrThrow();
}

export function setSubscriberStatus(
  db: Executor,
  id: string,
  status: 'active' | 'unsubscribed',
  now: Date,
  from: readonly ('pending' | 'active')[],
) {
  return db
    .updateTable('status_page_subscribers')
    .set(status === 'active' ? { status, confirmed_at: now } : { status, unsubscribed_at: now })
    .where('id', '=', id)
    .where('status', 'in', from)
    .returningAll()
    .executeTakeFirst();
}

export function setSubscriberComponents(db: Executor, subscriberId: string, componentIds: string[]) {
  if (componentIds.length === 0) return Promise.resolve([]);
  return db
    .insertInto('status_page_subscriber_components')
    .values(componentIds.map((component_id) => ({ subscriber_id: subscriberId, component_id })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export function insertToken(db: Executor, row: NewRow<'status_page_subscriber_tokens'>) {
  return db.insertInto('status_page_subscriber_tokens').values(row).execute();
}

/** Unsubscribe tokens for many subscribers in one statement (arrays unnested), however many. */
export async function insertUnsubscribeTokens(
  db: Executor,
  rows: { token_hash: string; subscriber_id: string }[],
  now: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into status_page_subscriber_tokens (token_hash, subscriber_id, purpose, created_at)
    select t.hash, t.subscriber, 'unsubscribe', ${now}
    from unnest(${rows.map((r) => r.token_hash)}::text[], ${rows.map((r) => String(r.subscriber_id))}::bigint[])
      as t(hash, subscriber)`.execute(db);
}

/** The live subscriber a token stands for, when the token is valid now. */
export function subscriberOfToken(db: Executor, hash: string, purpose: 'confirm' | 'unsubscribe', now: Date) {
  return db
    .selectFrom('status_page_subscriber_tokens as t')
    .innerJoin('status_page_subscribers as s', 's.id', 't.subscriber_id')
    .selectAll('s')
    .where('t.token_hash', '=', hash)
    .where('t.purpose', '=', purpose)
    .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', now)]))
    .forUpdate('s')
    .executeTakeFirst();
}

export function deleteTokens(db: Executor, subscriberId: string, purpose: 'confirm' | 'unsubscribe') {
  return db
    .deleteFrom('status_page_subscriber_tokens')
    .where('subscriber_id', '=', subscriberId)
    .where('purpose', '=', purpose)
    .execute();
}

export function insertSubscribeRequest(db: Executor, row: NewRow<'status_page_subscribe_requests'>) {
  return db.insertInto('status_page_subscribe_requests').values(row).execute();
}

/** Requests since `since` from this client address, and for this subscribed address. */
export async function countSubscribeRequests(
  db: Executor,
  ip: string,
  address: string,
  ipSince: Date,
  addressSince: Date,
) {
  const { rows } = await sql<{ by_ip: string; by_address: string }>`
    select
      (select count(*) from status_page_subscribe_requests where ip = ${ip} and at > ${ipSince}) as by_ip,
      (select count(*) from status_page_subscribe_requests where address = ${address} and at > ${addressSince}) as by_address
  `.execute(db);
  return { byIp: Number(rows[0]?.by_ip ?? 0), byAddress: Number(rows[0]?.by_address ?? 0) };
}

/** Forgets requests older than `before` (they no longer count towards a limit). */
export function pruneSubscribeRequests(db: Executor, before: Date) {
  return db.deleteFrom('status_page_subscribe_requests').where('at', '<', before).execute();
}

/** Active subscribers with the components they chose (empty: the whole page). */
export async function activeSubscribers(db: Executor) {
  return db
    .selectFrom('status_page_subscribers as s')
    .select([
      's.id',
      's.kind',
      's.address',
      's.language',
      sql<
        string[]
      >`coalesce((select array_agg(c.component_id::text) from status_page_subscriber_components c where c.subscriber_id = s.id), '{}')`.as(
        'components',
      ),
    ])
    .where('s.status', '=', 'active')
    .orderBy('s.id')
    .execute();
}

export function listSubscribers(
  db: Executor,
  filter: { kind?: SubscriberKind | undefined; status?: string | undefined; limit: number },
) {
  let query = db
    .selectFrom('status_page_subscribers as s')
    .selectAll('s')
    .select(
      sql<
        string[]
      >`coalesce((select array_agg(p.name order by p.name) from status_page_subscriber_components c join status_page_components p on p.id = c.component_id where c.subscriber_id = s.id), '{}')`.as(
        'components',
      ),
    )
    .orderBy('s.id', 'desc')
    .limit(filter.limit);
  if (filter.kind) query = query.where('s.kind', '=', filter.kind);
  if (filter.status) query = query.where('s.status', '=', filter.status as 'active');
  return query.execute();
}

export function findSubscriber(db: Executor, id: string) {
  return db
    .selectFrom('status_page_subscribers')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function componentIdsOfIncident(db: Executor, incidentId: string) {
  return db
    .selectFrom('status_page_incident_components')
    .select('component_id')
    .where('incident_id', '=', incidentId)
    .execute()
    .then((rows) => rows.map((r) => String(r.component_id)));
}

export function componentIdsOfMaintenance(db: Executor, maintenanceId: string) {
  return db
    .selectFrom('status_page_maintenance_components')
    .select('component_id')
    .where('maintenance_id', '=', maintenanceId)
    .execute()
    .then((rows) => rows.map((r) => String(r.component_id)));
}

export function componentsByIds(db: Executor, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('status_page_components').select(['id', 'name']).where('id', 'in', ids).execute();
}
