import { sql } from 'kysely';
import type { Executor, NewRow, Row } from '../../db/schema.ts';
import { storableText } from '../../db/storable.ts';

export type OutboxStatus = Row<'outbox'>['status'];

/** The outbox channel that opens incident chat channels (src/notify/providers/slack-channel.ts). */
export const INCIDENT_CHANNEL_DELIVERY = 'slack-channel';

/** The dedup key of an incident's channel.open row: the one place its chat channel is recorded. */
export const incidentChannelKey = (incidentId: string) => `incident-channel:${incidentId}`;

/**
 * While an incident's chat channel is being opened (its channel.open row pending or sending), the
 * posts and invites for that incident wait, so the first of them does not go out (or fail) before the
 * channel exists, and they keep their order. Applies only where channels are opened here.
 */
const notWaitingForIncidentChannel = sql<boolean>`not (
  outbox.incident_id is not null and outbox.channel in ('chat', ${INCIDENT_CHANNEL_DELIVERY})
  and outbox.dedup_key is distinct from 'incident-channel:' || outbox.incident_id
  and exists (select 1 from outbox o where o.dedup_key = 'incident-channel:' || outbox.incident_id
              and o.status in ('pending', 'sending')))`;

/**
 * The incident's planned channel name and, once opened in Slack, the channel.open row's outcome
 * (provider_id "<id> <name>"); undefined for an unknown incident.
 */
export function findIncidentChannel(db: Executor, incidentId: string) {
  return db
    .selectFrom('incidents as i')
    .leftJoin('outbox as o', (j) => j.on('o.dedup_key', '=', sql<string>`'incident-channel:' || i.id`))
    .select(['i.channel_name', 'o.status', 'o.provider_id', 'o.last_error', 'o.attempts'])
    .where('i.id', '=', incidentId)
    .executeTakeFirst();
}

/** Queues a message; a repeated dedup key queues nothing (returns undefined). */
export function insertOutbox(db: Executor, row: NewRow<'outbox'>) {
  return db
    .insertInto('outbox')
    .values(row)
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .returning('id')
    .executeTakeFirst();
}

export function insertOutboxRows(db: Executor, rows: NewRow<'outbox'>[]) {
  return db
    .insertInto('outbox')
    .values(rows)
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .returning('id')
    .execute();
}

/**
 * Queues many channel messages (no person, escalation or contact method) in one statement whatever
 * their number: each column goes as one array parameter and unnest() turns them into rows, so a
 * notice to 10,000 subscribers is one round trip, not 10,000. Rows whose dedup key is queued already
 * are skipped; returns how many were queued.
 */
export async function insertOutboxBulk(db: Executor, rows: NewRow<'outbox'>[]): Promise<number> {
  if (rows.length === 0) return 0;
  const col = <T>(f: (r: NewRow<'outbox'>) => T) => rows.map(f);
  const result = await sql<{ queued: string }>`
    with queued as (
      insert into outbox (incident_id, channel, destination, template, payload, next_attempt_at, dedup_key, created_at)
      select * from unnest(
        ${col((r) => (r.incident_id === null || r.incident_id === undefined ? null : String(r.incident_id)))}::bigint[],
        ${col((r) => r.channel)}::text[],
        ${col((r) => r.destination)}::text[],
        ${col((r) => r.template ?? null)}::text[],
        ${col((r) => (typeof r.payload === 'string' ? r.payload : JSON.stringify(r.payload)))}::jsonb[],
        ${col((r) => r.next_attempt_at)}::timestamptz[],
        ${col((r) => r.dedup_key ?? null)}::text[],
        ${col((r) => r.created_at)}::timestamptz[])
      on conflict (dedup_key) do nothing
      returning 1)
    select count(*)::text as queued from queued`.execute(db);
  return Number(result.rows[0]?.queued ?? 0);
}

/**
 * Claims up to `limit` due rows of the given channels for delivery: sending rows whose lease ran out
 * (their worker died) first, then pending rows whose time has come, each oldest first. Locked FOR
 * UPDATE SKIP LOCKED so parallel claims never share a row; each is marked sending, its attempts
 * bumped, and next_attempt_at set to the lease's end. Only rows with attempts left are claimed (see
 * failExhaustedLeases).
 *
 * One query per status, each ordered by next_attempt_at alone, so each walks its partial index
 * (outbox_leased, outbox_due) and stops after `limit` rows; one query over both statuses, or a
 * tie-break on id, made PostgreSQL read and sort every due row on every claim — O(backlog) per claim,
 * tens of ms at 10,000 queued pages (bench/outbox-throughput.ts). Ties go in index order.
 */
export async function claimDueOutbox(
  tx: Executor,
  now: Date,
  channels: string[],
  limit: number,
  leaseUntil: Date,
  maxAttempts: number,
  /** Also reclaim rows whose lease ran out (false: new and retried rows only, one statement less). */
  expiredLeases = true,
) {
  if (channels.length === 0 || limit <= 0) return [];
  const dueOf = (status: 'sending' | 'pending', max: number) =>
    tx
      .selectFrom('outbox')
      .select(['id', 'channel', 'destination'])
      .where('status', '=', status)
      .where('next_attempt_at', '<=', now)
      .where('channel', 'in', channels)
      // user:, group: and role: rows name people, not addresses: paging fans them out first.
      .where(sql<boolean>`destination !~ '^(user|group|role):'`)
      .where('attempts', '<', maxAttempts)
      .$if(channels.includes(INCIDENT_CHANNEL_DELIVERY), (q) => q.where(notWaitingForIncidentChannel))
      .orderBy('next_attempt_at')
      .limit(max)
      .forUpdate()
      .skipLocked()
      .execute();
  const expired = expiredLeases ? await dueOf('sending', limit) : [];
  const candidates =
    expired.length < limit ? [...expired, ...(await dueOf('pending', limit - expired.length))] : expired;
  const due = await throttle(tx, candidates, now);
  if (due.length === 0) return [];
  return tx
    .updateTable('outbox')
    .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), next_attempt_at: leaseUntil }))
    .where(
      'id',
      'in',
      due.map((r) => r.id),
    )
    .returningAll()
    .execute();
}

/**
 * Per-destination throttles: at most one message per window to one phone number per channel (an SMS
 * storm or a phone ringing every few seconds helps nobody, and providers bill and block for it).
 */
export const DESTINATION_THROTTLE_MS: Readonly<Record<string, number>> = { sms: 60_000, voice: 60_000 };

type Candidate = { id: string; channel: string; destination: string };

/**
 * The candidates that may go now. A throttled message whose destination had one sent (or in flight)
 * within its window, or that is the second for it in this batch, is moved to the end of that window
 * instead — out of the due set, so it neither starves other messages nor is lost.
 */
async function throttle(tx: Executor, candidates: Candidate[], now: Date): Promise<Candidate[]> {
  const limited = candidates.filter((c) => DESTINATION_THROTTLE_MS[c.channel] !== undefined);
  if (limited.length === 0) return candidates;
  const longest = Math.max(...limited.map((c) => DESTINATION_THROTTLE_MS[c.channel] ?? 0));
  const recent = await tx
    .selectFrom('outbox')
    .select(['channel', 'destination'])
    .select((eb) => eb.fn.max(sql<Date>`coalesce(sent_at, ${now}::timestamptz)`).as('last'))
    .where('channel', 'in', [...new Set(limited.map((c) => c.channel))])
    .where('destination', 'in', [...new Set(limited.map((c) => c.destination))])
    .where(
      'id',
      'not in',
      limited.map((c) => c.id),
    )
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'sent'), eb('sent_at', '>', new Date(now.getTime() - longest))]),
        eb.and([eb('status', '=', 'sending'), eb('next_attempt_at', '>', now)]),
      ]),
    )
    .groupBy(['channel', 'destination'])
    .execute();
  const last = new Map(recent.map((r) => [`${r.channel} ${r.destination}`, new Date(r.last)]));
  const go: Candidate[] = [];
  const later = new Map<string, Date>();
  for (const c of candidates) {
    const window = DESTINATION_THROTTLE_MS[c.channel];
    if (window === undefined) {
      go.push(c);
      continue;
    }
    const key = `${c.channel} ${c.destination}`;
    const previous = last.get(key);
    if (previous && previous.getTime() + window > now.getTime()) {
      later.set(c.id, new Date(previous.getTime() + window));
      continue;
    }
    last.set(key, now);
    go.push(c);
  }
  for (const [id, at] of later) {
    await tx.updateTable('outbox').set({ next_attempt_at: at }).where('id', '=', id).execute();
  }
  return go;
}

/**
 * Cancels pages whose sender died (a `sending` row past its lease, which would be claimed again) once
 * paging was answered meanwhile: its escalation was acknowledged, resolved or cancelled, or its
 * incident resolved or acknowledged after the page was queued. The answer cancelled the pages still
 * waiting then; one held by a dead process must not go out after it either. Returns how many.
 */
export async function cancelAnsweredLeases(tx: Executor, now: Date): Promise<number> {
  const result = await tx
    .updateTable('outbox')
    .set({ status: 'cancelled', last_error: 'paging was answered while its sender was gone (lease ran out)' })
    .where('status', '=', 'sending')
    .where('next_attempt_at', '<=', now)
    .where('escalation_id', 'is not', null)
    .where((eb) =>
      eb.or([
        eb(
          'escalation_id',
          'in',
          eb
            .selectFrom('escalations')
            .select('id')
            .where('status', 'in', ['acknowledged', 'resolved', 'cancelled']),
        ),
        eb.exists(
          eb
            .selectFrom('incidents')
            .select('incidents.id')
            .whereRef('incidents.id', '=', 'outbox.incident_id')
            .where((i) =>
              i.or([
                i('incidents.resolved_at', 'is not', null),
                i('incidents.acknowledged_at', '>=', i.ref('outbox.created_at')),
              ]),
            ),
        ),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Dead-letters sending rows whose lease ran out on their last allowed attempt; returns how many. */
export async function failExhaustedLeases(tx: Executor, now: Date, maxAttempts: number): Promise<number> {
  const result = await tx
    .updateTable('outbox')
    .set({ status: 'failed', last_error: 'no result before the delivery lease ran out' })
    .where('status', '=', 'sending')
    .where('next_attempt_at', '<=', now)
    .where('attempts', '>=', maxAttempts)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Waits for the claim of attempt `attempt` to commit (the row lock) and says whether it still holds:
 * false when the claim rolled back or a later claim took the row over.
 */
export async function holdsClaim(db: Executor, id: string, attempt: number): Promise<boolean> {
  // Filter by id alone: a condition on status would be checked against the snapshot from before the
  // claim and skip the row without waiting for its lock.
  const row = await db
    .selectFrom('outbox')
    .select(['status', 'attempts'])
    .where('id', '=', id)
    .forShare()
    .executeTakeFirst();
  return row?.status === 'sending' && row.attempts === attempt;
}

// A receiver's words (an error body, a message id) are stored as text PostgreSQL takes (storableText):
// an outcome that cannot be written is never recorded — nor is any outcome batched beside it — so each
// such message was sent again once its lease ran out.
export type DeliveryOutcome =
  | { status: 'sent'; providerId: string; at: Date }
  /** unsent: nothing went out (the store failed first), so the claim's attempt is given back. */
  | { status: 'pending'; error: string; retryAt: Date; unsent?: boolean }
  | { status: 'failed'; error: string };

const unsent = (outcome: DeliveryOutcome) => outcome.status === 'pending' && outcome.unsent === true;

/** Records an attempt's outcome, unless the row moved on meanwhile (another claim); true if recorded. */
export async function recordOutboxAttempt(
  db: Executor,
  id: string,
  attempt: number,
  outcome: DeliveryOutcome,
): Promise<boolean> {
  const set =
    outcome.status === 'sent'
      ? {
          status: 'sent' as const,
          provider_id: storableText(outcome.providerId),
          sent_at: outcome.at,
          last_error: null,
        }
      : outcome.status === 'pending'
        ? {
            status: 'pending' as const,
            last_error: storableText(outcome.error),
            next_attempt_at: outcome.retryAt,
            ...(unsent(outcome) ? { attempts: attempt - 1 } : {}),
          }
        : { status: 'failed' as const, last_error: storableText(outcome.error) };
  const result = await db
    .updateTable('outbox')
    .set(set)
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('attempts', '=', attempt)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * holdsClaim for a batch in one statement: the ids among `claims` (id → attempt) whose claim committed
 * and still holds. Waits for the claiming transaction like holdsClaim (filter by id alone).
 */
export async function holdClaims(db: Executor, claims: ReadonlyMap<string, number>): Promise<Set<string>> {
  if (claims.size === 0) return new Set();
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'status', 'attempts'])
    .where('id', 'in', [...claims.keys()])
    .forShare()
    .execute();
  return new Set(
    rows.filter((r) => r.status === 'sending' && r.attempts === claims.get(r.id)).map((r) => r.id),
  );
}

export interface AttemptRecord {
  id: string;
  attempt: number;
  outcome: DeliveryOutcome;
}

/**
 * recordOutboxAttempt for many attempts in one statement (one commit instead of one per message):
 * each row is updated only if it is still that attempt's; returns the ids recorded.
 */
export async function recordOutboxAttempts(db: Executor, records: AttemptRecord[]): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  const col = <T>(f: (r: AttemptRecord) => T) => records.map(f);
  const sent = (r: AttemptRecord) => (r.outcome.status === 'sent' ? r.outcome : undefined);
  const values = sql<{
    id: string;
    attempt: number;
    status: 'sent' | 'pending' | 'failed';
    provider_id: string | null;
    sent_at: Date | null;
    last_error: string | null;
    retry_at: Date | null;
    unsent: boolean;
  }>`(select * from unnest(
      ${col((r) => r.id)}::bigint[], ${col((r) => r.attempt)}::int[], ${col((r) => r.outcome.status)}::text[],
      ${col((r) => storableText(sent(r)?.providerId ?? null))}::text[], ${col((r) => sent(r)?.at ?? null)}::timestamptz[],
      ${col((r) => storableText(r.outcome.status === 'sent' ? null : r.outcome.error))}::text[],
      ${col((r) => (r.outcome.status === 'pending' ? r.outcome.retryAt : null))}::timestamptz[],
      ${col((r) => unsent(r.outcome))}::bool[]
    ) as v (id, attempt, status, provider_id, sent_at, last_error, retry_at, unsent))`.as('v');
  const rows = await db
    .updateTable('outbox')
    .from(values)
    .set({
      status: sql`v.status`,
      provider_id: sql`case when v.status = 'sent' then v.provider_id else outbox.provider_id end`,
      sent_at: sql`case when v.status = 'sent' then v.sent_at else outbox.sent_at end`,
      last_error: sql`v.last_error`,
      next_attempt_at: sql`case when v.status = 'pending' then v.retry_at else outbox.next_attempt_at end`,
      attempts: sql`outbox.attempts - v.unsent::int`,
    })
    .whereRef('outbox.id', '=', sql`v.id`)
    .where('outbox.status', '=', 'sending')
    .whereRef('outbox.attempts', '=', sql`v.attempt`)
    .returning('outbox.id')
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Outbox rows, newest first, optionally of one status (dead letters: failed). */
export function listOutbox(db: Executor, status: OutboxStatus | undefined, limit: number) {
  let q = db.selectFrom('outbox').selectAll().orderBy('id', 'desc').limit(limit);
  if (status) q = q.where('status', '=', status);
  return q.execute();
}
