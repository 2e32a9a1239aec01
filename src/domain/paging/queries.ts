import { type ExpressionBuilder, type QueryCreator, sql } from 'kysely';
import type { Database, EscalationStatus, Executor, NewRow } from '../../db/schema.ts';
import type { EscalationMove } from '../../db/tx-memo.ts';
import { type EngineEvent, EVENT_COLUMNS, engineEventColumnsOf } from '../incidents/queries.ts';

// SQL of paging: running escalations, the messages they queued, acknowledgement tokens, and the
// people and teams a step's targets name.

export function insertEscalation(db: Executor, row: NewRow<'escalations'>) {
  return db
    .insertInto('escalations')
    .values(row)
    .onConflict((oc) => oc.columns(['incident_id', 'source']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/**
 * When the engine next has paging work after `now`: the earliest next step of an active escalation
 * or the earliest retry, delay or throttle of a queued message. A virtual clock (drills, the paging
 * smoke harness) jumps to it instead of ticking the engine through the minutes between.
 */
export async function nextPagingDueAt(db: Executor, now: Date): Promise<Date | null> {
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('escalations')
        .select((e) => e.fn.min('next_at').as('at'))
        .where('status', '=', 'active')
        .where('next_at', '>', now)
        .as('escalation'),
      eb
        .selectFrom('outbox')
        .select((o) => o.fn.min('next_attempt_at').as('at'))
        .where('status', '=', 'pending')
        .where('next_attempt_at', '>', now)
        .as('message'),
    ])
    .executeTakeFirstOrThrow();
  const times = [row.escalation, row.message].filter((t): t is Date => t instanceof Date);
  return times.length === 0 ? null : new Date(Math.min(...times.map((t) => t.getTime())));
}

/** Active escalations whose next step is due, locked so parallel engines never share one. */
export function claimDueEscalations(tx: Executor, now: Date, limit: number) {
  return tx
    .selectFrom('escalations')
    .selectAll()
    .where('status', '=', 'active')
    .where('next_at', '<=', now)
    .orderBy('next_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export function advanceEscalation(
  tx: Executor,
  id: string,
  set: { step: number; round: number; next_at: Date | null; status: EscalationStatus; updated_at: Date },
  /** The step's timeline event, written in the same statement. */
  event?: NewRow<'incident_events'>,
) {
  const update = (c: QueryCreator<Database>) => c.updateTable('escalations').set(set).where('id', '=', id);
  if (!event) return update(tx).execute();
  return tx
    .with('advanced', (c) => update(c).returning('id'))
    .insertInto('incident_events')
    .values(event)
    .execute();
}

/**
 * advanceEscalation for several escalations in one statement (the steps a batch of workflow firings
 * ran: db/tx-memo.ts), with their timeline events written by the same statement.
 */
export async function advanceEscalations(
  tx: Executor,
  moves: { id: string; set: EscalationMove; event: NewRow<'incident_events'> | undefined }[],
): Promise<void> {
  if (moves.length === 0) return;
  const update = sql`(update escalations e set step = v.step, round = v.round, next_at = v.next_at,
      status = v.status, updated_at = v.updated_at
    from unnest(${moves.map((m) => m.id)}::bigint[], ${moves.map((m) => m.set.step)}::int[],
      ${moves.map((m) => m.set.round)}::int[], ${moves.map((m) => m.set.next_at)}::timestamptz[],
      ${moves.map((m) => m.set.status)}::text[], ${moves.map((m) => m.set.updated_at)}::timestamptz[])
      as v(id, step, round, next_at, status, updated_at)
    where e.id = v.id returning e.id)`;
  const events = moves.flatMap((m) => (m.event ? [m.event] : []));
  if (events.length === 0) {
    await update.execute(tx);
    return;
  }
  await tx
    .with('advanced', () => update as never)
    .insertInto('incident_events')
    .values(events)
    .execute();
}

/**
 * insertEscalation and, when it inserted, the incident's timeline event naming it (its data gains
 * `escalation`: the new id), in one statement.
 */
export function insertEscalationWithEvent(db: Executor, row: NewRow<'escalations'>, event: EngineEvent) {
  return db
    .with('esc', (c) =>
      c
        .insertInto('escalations')
        .values(row)
        .onConflict((oc) => oc.columns(['incident_id', 'source']).doNothing())
        .returningAll(),
    )
    .with('ev', (c) =>
      c
        .insertInto('incident_events')
        .columns(EVENT_COLUMNS)
        .expression((eb) => eb.selectFrom('esc').select(engineEventColumnsOf(event, 'escalation', 'esc.id')))
        .returning('id'),
    )
    .selectFrom('esc')
    .selectAll()
    .executeTakeFirst();
}

/**
 * Ends the incident's active escalations of the given kinds and cancels the messages they queued that
 * have not gone out yet; returns the ended escalations.
 */
export async function endEscalations(
  tx: Executor,
  incidentId: string,
  kinds: readonly ('paging' | 'duration')[],
  status: EscalationStatus,
  endedBy: string,
  now: Date,
) {
  const ended = await tx
    .updateTable('escalations')
    .set({ status, next_at: null, updated_at: now, ended_by: endedBy })
    .where('incident_id', '=', incidentId)
    .where('status', '=', 'active')
    .where('kind', 'in', [...kinds])
    .returning(['id', 'source', 'kind'])
    .execute();
  if (ended.length > 0)
    await cancelPending(
      tx,
      ended.map((e) => e.id),
      now,
    );
  return ended;
}

/** Ends one escalation (a page without an incident, acknowledged by its link or code). */
export async function endEscalation(
  tx: Executor,
  id: string,
  status: EscalationStatus,
  endedBy: string,
  now: Date,
) {
  const ended = await tx
    .updateTable('escalations')
    .set({ status, next_at: null, updated_at: now, ended_by: endedBy })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .returning('id')
    .execute();
  if (ended.length > 0) await cancelPending(tx, [id], now);
  return ended.length > 0;
}

/**
 * Pending page messages of every escalation of the incident become cancelled: once someone has
 * acknowledged, the follow-ups of steps already paged (the phone call after 5 minutes) are noise.
 * Duration tiers still page their later tiers, as new steps.
 */
export function cancelPendingPagesOfIncident(tx: Executor, incidentId: string, now: Date) {
  return tx
    .updateTable('outbox')
    .set({ status: 'cancelled', last_error: `cancelled at ${now.toISOString()}: acknowledged` })
    .where('incident_id', '=', incidentId)
    .where('escalation_id', 'is not', null)
    .where('status', '=', 'pending')
    .executeTakeFirst();
}

/** Pending (not yet claimed) messages of these escalations become cancelled. */
function cancelPending(tx: Executor, escalationIds: string[], now: Date) {
  return tx
    .updateTable('outbox')
    .set({ status: 'cancelled', last_error: `cancelled at ${now.toISOString()}` })
    .where('escalation_id', 'in', escalationIds)
    .where('status', '=', 'pending')
    .execute();
}

export function findEscalation(db: Executor, id: string) {
  return db.selectFrom('escalations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every page (escalation), newest first (indexes: primary key, escalations_status); keyset by id. */
export function listAllEscalations(
  db: Executor,
  f: { status?: EscalationStatus | undefined; limit: number; beforeId?: string | undefined },
) {
  let q = db.selectFrom('escalations').selectAll().orderBy('id', 'desc').limit(f.limit);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
  return q.execute();
}

export function listEscalations(db: Executor, incidentId: string) {
  return db
    .selectFrom('escalations')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
}

export async function countEscalationsWithSourcePrefix(
  db: Executor,
  incidentId: string | null,
  prefix: string,
) {
  let q = db
    .selectFrom('escalations')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('source', 'like', `${prefix}%`);
  q = incidentId === null ? q.where('incident_id', 'is', null) : q.where('incident_id', '=', incidentId);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Messages queued for people of an incident (or of a page without one), oldest first. */
export function listPageMessages(db: Executor, by: { incidentId: string } | { escalationId: string }) {
  let q = db
    .selectFrom('outbox')
    .leftJoin('users', 'users.id', 'outbox.user_id')
    .leftJoin('escalations', 'escalations.id', 'outbox.escalation_id')
    .select([
      'outbox.id',
      'outbox.channel',
      'outbox.destination',
      'outbox.status',
      'outbox.attempts',
      'outbox.created_at',
      'outbox.next_attempt_at',
      'outbox.sent_at',
      'outbox.provider_id',
      'outbox.last_error',
      'outbox.payload',
      'users.handle as user',
      'escalations.source as escalation',
      'escalations.kind as escalation_kind',
    ])
    .where('outbox.user_id', 'is not', null)
    .orderBy('outbox.id');
  q =
    'incidentId' in by
      ? q.where('outbox.incident_id', '=', by.incidentId)
      : q.where('outbox.escalation_id', '=', by.escalationId);
  return q.execute();
}

// --- who a target names ---------------------------------------------------------------------------

export function usersByHandles(db: Executor, handles: string[]) {
  if (handles.length === 0) return Promise.resolve([]);
  return db.selectFrom('users').select(['id', 'handle', 'email']).where('handle', 'in', handles).execute();
}

export function usersByIds(db: Executor, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(['id', 'handle', 'email'])
    .where('id', 'in', ids)
    .where('deactivated_at', 'is', null) // someone who left is paged no more
    .execute();
}

export function teamMemberIds(db: Executor, teamNames: string[]) {
  if (teamNames.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('team_members')
    .innerJoin('teams', 'teams.id', 'team_members.team_id')
    .select('team_members.user_id')
    .where('teams.name', 'in', teamNames)
    .where('teams.deactivated_at', 'is', null) // a deactivated team pages nobody
    .execute();
}

export function leadershipIds(db: Executor) {
  return db.selectFrom('users').select('id').where('leadership', '=', true).execute();
}

export function roleHolderId(db: Executor, incidentId: string, role: string) {
  return db
    .selectFrom('incident_roles')
    .select('user_id')
    .where('incident_id', '=', incidentId)
    .where('role', '=', role)
    .executeTakeFirst();
}

export function responderUserIds(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_responders')
    .select('user_id')
    .where('incident_id', '=', incidentId)
    .where('user_id', 'is not', null)
    .execute();
}

export function serviceOf(db: Executor, name: string) {
  return db
    .selectFrom('services')
    .leftJoin('teams', 'teams.id', 'services.team_id')
    .select(['services.escalation_policy', 'teams.name as team'])
    .where('services.name', '=', name)
    .executeTakeFirst();
}

// --- acknowledgement tokens ------------------------------------------------------------------------

/**
 * Everything a step writes for the people it pages, in one statement whatever their number: their
 * ack tokens, inbox items and messages (the first two as data-modifying CTEs of the third). Returns
 * how many messages were new (a dedup key already queued, or an inbox item already there, is skipped).
 */
export async function insertStepRows(
  db: Executor,
  rows: { ackTokens: NewRow<'ack_tokens'>[]; inbox: NewRow<'inbox_items'>[]; outbox: NewRow<'outbox'>[] },
): Promise<number> {
  let qc: QueryCreator<Database> = db;
  if (rows.ackTokens.length > 0) {
    qc = qc.with('ack', (c) =>
      c.insertInto('ack_tokens').values(rows.ackTokens).returning('token_hash'),
    ) as unknown as QueryCreator<Database>;
  }
  if (rows.inbox.length > 0) {
    qc = qc.with('inbox', (c) =>
      c
        .insertInto('inbox_items')
        .values(rows.inbox)
        .onConflict((oc) => oc.columns(['user_id', 'dedup_key']).doNothing())
        .returning('id'),
    ) as unknown as QueryCreator<Database>;
  }
  if (rows.outbox.length > 0) {
    const inserted = await qc
      .insertInto('outbox')
      .values(rows.outbox)
      .onConflict((oc) => oc.column('dedup_key').doNothing())
      .returning('id')
      .execute();
    return inserted.length;
  }
  // Nobody reachable: the CTEs (if any) still run, under a statement that returns nothing.
  if (qc !== db) await qc.selectNoFrom(sql<number>`1`.as('one')).execute();
  return 0;
}

/** The reply codes this escalation already gave these people, so every page of it takes the same code. */
export function codesOfEscalation(db: Executor, escalationId: string, userIds: readonly string[]) {
  if (userIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('ack_tokens')
    .select(['user_id', 'code'])
    .distinctOn('user_id')
    .where('escalation_id', '=', escalationId)
    .where('user_id', 'in', [...userIds])
    .orderBy('user_id')
    .execute();
}

export function findAckTokenByHash(db: Executor, tokenHash: string) {
  return db.selectFrom('ack_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** The newest live token of a user with this reply code. */
export function findAckTokenByCode(db: Executor, userId: string, code: string, now: Date) {
  return db
    .selectFrom('ack_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .where('code', '=', code)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/** The codes of these people's live tokens (a new code must differ from each person's own). */
export function liveCodesOfUsers(db: Executor, userIds: readonly string[], now: Date) {
  if (userIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('ack_tokens')
    .select(['user_id', 'code'])
    .where('user_id', 'in', [...userIds])
    .where('expires_at', '>', now)
    .execute();
}

export function markAckTokenUsed(db: Executor, tokenHash: string, now: Date) {
  return db
    .updateTable('ack_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .execute();
}

/** Rows queued for logical recipients (user:, group:, role:) that fan out to people's contacts. */
export function claimLogicalMessages(tx: Executor, now: Date, limit: number) {
  return tx
    .selectFrom('outbox')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where(sql<boolean>`destination ~ '^(user|group|role):'`)
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export function markRouted(tx: Executor, id: string, providerId: string, now: Date) {
  return tx
    .updateTable('outbox')
    .set({ status: 'sent', provider_id: providerId, sent_at: now, attempts: 1 })
    .where('id', '=', id)
    .execute();
}

// --- health of paging (auditor and /health/detailed) ----------------------------------------------

/** Pages (messages to people) still pending after their due time, failed ones, and late steps. */
export async function pagingHealth(
  db: Executor,
  now: Date,
  lateBefore: Date,
  failedSince: Date,
  deliverable: readonly string[] | undefined,
) {
  // A page for a channel no provider serves is not late: it cannot leave (the inbox has it).
  const overdueChannels = deliverable ?? null;
  const pages = await db
    .selectFrom('outbox')
    .select((eb) => [
      eb.fn
        .countAll<string>()
        .filterWhere(overdue(eb, lateBefore, overdueChannels))
        .as('overdue'),
      eb.fn
        .min('next_attempt_at')
        .filterWhere(overdue(eb, lateBefore, overdueChannels))
        .as('oldest_overdue'),
      eb.fn
        .countAll<string>()
        .filterWhere('status', '=', 'failed')
        .filterWhere('created_at', '>=', failedSince)
        .as('failed'),
    ])
    .where('user_id', 'is not', null)
    .where('created_at', '>=', failedSince)
    .executeTakeFirstOrThrow();
  const steps = await db
    .selectFrom('escalations')
    .select((eb) => [eb.fn.countAll<string>().as('late'), eb.fn.min('next_at').as('oldest')])
    .where('status', '=', 'active')
    .where('next_at', '<', lateBefore)
    .executeTakeFirstOrThrow();
  return {
    overduePages: Number(pages.overdue),
    oldestOverduePage: pages.oldest_overdue as Date | null,
    failedPages: Number(pages.failed),
    lateSteps: Number(steps.late),
    oldestLateStep: steps.oldest as Date | null,
    checkedAt: now,
  };
}

function overdue(
  eb: ExpressionBuilder<Database, 'outbox'>,
  lateBefore: Date,
  channels: readonly string[] | null,
) {
  return eb.and([
    eb('status', 'in', ['pending', 'sending']),
    eb('next_attempt_at', '<', lateBefore),
    ...(channels === null ? [] : [channels.length > 0 ? eb('channel', 'in', [...channels]) : eb.lit(false)]),
  ]);
}

export function findServiceByName(db: Executor, name: string) {
  return db.selectFrom('services').select(['id', 'name']).where('name', '=', name).executeTakeFirst();
}

/** Which of these people another escalation of the incident paged since `since` (one page, not two). */
export async function pagedByAnotherSince(
  db: Executor,
  incidentId: string,
  userIds: readonly string[],
  escalationId: string,
  since: Date,
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('outbox')
    .select('user_id')
    .distinct()
    .where('incident_id', '=', incidentId)
    .where('user_id', 'in', [...userIds])
    .where('escalation_id', 'is not', null)
    .where('escalation_id', '!=', escalationId)
    .where('created_at', '>=', since)
    .execute();
  return new Set(rows.flatMap((r) => (r.user_id === null ? [] : [String(r.user_id)])));
}

/**
 * Takes the incident's key-share lock (what the step's inserts referencing it need anyway), skipping
 * it when a change to the incident holds it: an acknowledgement locks the incident, then ends its
 * escalations, while the engine holds a due escalation and needs the incident — opposite orders, a
 * deadlock. Skipped, the step runs on the next tick, after the acknowledgement (which ends it).
 */
export function lockIncidentForStep(tx: Executor, incidentId: string) {
  return tx
    .selectFrom('incidents')
    .select('id')
    .where('id', '=', incidentId)
    .forKeyShare()
    .skipLocked()
    .executeTakeFirst();
}

/** The first alert that fed an incident: where the page says it came from. */
export function firstAlertOf(db: Executor, incidentId: string) {
  return firstAlertQuery(db, incidentId).executeTakeFirst();
}

/**
 * firstAlertOf's statement, unexecuted (its test reads the plan): served by alerts_incident, which
 * holds id, in id order (migration 0910).
 */
export function firstAlertQuery(db: Executor, incidentId: string) {
  return db
    .selectFrom('alerts')
    .select(['source', 'summary', 'details'])
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .limit(1);
}

/** firstAlertOf for several incidents in one statement: incident id → its first alert (none: absent). */
export async function firstAlertsOf(db: Executor, incidentIds: string[]) {
  if (incidentIds.length === 0)
    return new Map<string, { source: string; summary: string; details: unknown }>();
  const rows = await db
    .selectFrom('alerts')
    .distinctOn('incident_id')
    .select(['incident_id', 'source', 'summary', 'details'])
    .where('incident_id', 'in', incidentIds)
    .orderBy('incident_id')
    .orderBy('id')
    .execute();
  return new Map(
    rows.map((r) => [String(r.incident_id), { source: r.source, summary: r.summary, details: r.details }]),
  );
}

/** Records pages or messages whose recipients resolved to nobody (one row per recipient). */
export async function insertUnrouted(db: Executor, rows: NewRow<'unrouted_messages'>[]) {
  if (rows.length === 0) return;
  await db.insertInto('unrouted_messages').values(rows).execute();
}

/** How many reached nobody since `since`, and the latest `limit` (any age) with their incident. */
export async function unroutedSince(db: Executor, since: Date, limit: number) {
  const count = await db
    .selectFrom('unrouted_messages')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('at', '>=', since)
    .executeTakeFirstOrThrow();
  const latest = await db
    .selectFrom('unrouted_messages')
    .select(['at', 'incident_id', 'recipient', 'what'])
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return { count: Number(count.n), latest };
}

export async function insertShadows(db: Executor, rows: NewRow<'escalation_shadows'>[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('escalation_shadows')
    .values(rows)
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Whether the user got shadow pages of the incident and no page of their own (no ack token for it). */
export async function isOnlyShadowOf(db: Executor, incidentId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('escalation_shadows as s')
    .select('s.user_id')
    .where('s.incident_id', '=', incidentId)
    .where('s.user_id', '=', userId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('ack_tokens as a')
            .select('a.user_id')
            .whereRef('a.incident_id', '=', 's.incident_id')
            .whereRef('a.user_id', '=', 's.user_id'),
        ),
      ),
    )
    .executeTakeFirst();
  return row !== undefined;
}
