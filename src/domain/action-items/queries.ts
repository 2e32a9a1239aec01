import { type ExpressionBuilder, sql } from 'kysely';
import type { Database, Executor, NewRow, RowUpdate } from '../../db/schema.ts';
import { OPEN_STATUSES } from './action-items.ts';

/** The item's team name as `team` (the reminder queries read it beside their own columns). */
function teamName(eb: ExpressionBuilder<Database, 'action_items'>) {
  return eb
    .selectFrom('teams')
    .select('teams.name')
    .whereRef('teams.id', '=', 'action_items.team_id')
    .as('team');
}

/** Action items with their team's name, in id order. */
function selectItems(db: Executor) {
  return db
    .selectFrom('action_items')
    .leftJoin('teams', 'teams.id', 'action_items.team_id')
    .select([
      'action_items.id',
      'action_items.incident_id',
      'action_items.title',
      'action_items.description',
      'action_items.owner',
      'action_items.due_at',
      'action_items.status',
      'action_items.priority',
      'action_items.tracker_url',
      'action_items.source',
      'action_items.created_at',
      'action_items.updated_at',
      'action_items.done_at',
      'action_items.overdue_reminded_at',
      'teams.name as team',
    ])
    .where('action_items.kind', '=', 'action_item');
}

export function findItem(db: Executor, id: string) {
  return selectItems(db).where('action_items.id', '=', id).executeTakeFirst();
}

export function lockItem(db: Executor, id: string) {
  return db
    .selectFrom('action_items')
    .selectAll()
    .where('id', '=', id)
    .where('kind', '=', 'action_item')
    .forUpdate()
    .executeTakeFirst();
}

export async function insertItem(db: Executor, row: NewRow<'action_items'>): Promise<string> {
  const r = await db.insertInto('action_items').values(row).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export function updateItem(db: Executor, id: string, set: RowUpdate<'action_items'>) {
  return db.updateTable('action_items').set(set).where('id', '=', id).execute();
}

export interface ItemFilter {
  incidentId?: string | undefined;
  team?: string | undefined;
  owner?: string | undefined;
  statuses?: readonly string[] | undefined;
  overdueAt?: Date | undefined;
  limit: number;
}

export function listItems(db: Executor, f: ItemFilter) {
  let q = selectItems(db).orderBy('action_items.due_at', 'asc').orderBy('action_items.id').limit(f.limit);
  if (f.incidentId) q = q.where('action_items.incident_id', '=', f.incidentId);
  if (f.team) q = q.where('teams.name', '=', f.team);
  if (f.owner) q = q.where('action_items.owner', '=', f.owner);
  if (f.statuses) q = q.where('action_items.status', 'in', f.statuses as 'open'[]);
  if (f.overdueAt) q = q.where('action_items.due_at', '<', f.overdueAt);
  return q.execute();
}

/** Unfinished action items per team (null: no team), with how many of them are overdue. */
export function openCountsByTeam(db: Executor, now: Date) {
  return db
    .selectFrom('action_items')
    .leftJoin('teams', 'teams.id', 'action_items.team_id')
    .select([
      'teams.name as team',
      sql<string>`count(*)`.as('open'),
      sql<string>`count(*) filter (where action_items.due_at < ${now})`.as('overdue'),
    ])
    .where('action_items.kind', '=', 'action_item')
    .where('action_items.status', 'in', [...OPEN_STATUSES])
    .groupBy('teams.name')
    .orderBy('teams.name')
    .execute();
}

export function teamIdOfService(db: Executor, service: string) {
  return db.selectFrom('services').select('team_id').where('name', '=', service).executeTakeFirst();
}

export function teamIdByName(db: Executor, name: string) {
  return db.selectFrom('teams').select('id').where('name', '=', name).executeTakeFirst();
}

/**
 * Unfinished items past due whose reminder for this due date has not gone out, locked so a second
 * engine skips them (the module also runs under its advisory lock).
 */
export function claimOverdue(tx: Executor, now: Date, limit: number) {
  return tx
    .selectFrom('action_items')
    .leftJoin('incidents', 'incidents.id', 'action_items.incident_id')
    .select([
      'action_items.id',
      'action_items.incident_id',
      'action_items.title',
      'action_items.owner',
      'action_items.due_at',
      'action_items.kind',
      'incidents.title as incident_title',
    ])
    .select(teamName)
    .where('action_items.status', 'in', [...OPEN_STATUSES])
    .where('action_items.due_at', '<', now)
    .where('action_items.overdue_reminded_at', 'is', null)
    .orderBy('action_items.due_at')
    .limit(limit)
    .forUpdate('action_items')
    .skipLocked()
    .execute();
}

export function markReminded(tx: Executor, id: string, now: Date) {
  return tx.updateTable('action_items').set({ overdue_reminded_at: now }).where('id', '=', id).execute();
}

/** What the due reminders of one open task or action item read. */
function dueItems(tx: Executor) {
  return tx
    .selectFrom('action_items')
    .select([
      'action_items.id',
      'action_items.incident_id',
      'action_items.kind',
      'action_items.title',
      'action_items.owner',
      'action_items.due_at',
      'action_items.created_at',
    ])
    .select(teamName)
    .where('action_items.status', 'in', [...OPEN_STATUSES])
    .orderBy('action_items.due_at')
    .orderBy('action_items.id');
}

/** Open items due between now and `horizon` whose owner was not yet reminded, locked for this pass. */
export function claimDueSoon(tx: Executor, now: Date, horizon: Date, limit: number) {
  return dueItems(tx)
    .where('action_items.due_at', '>', now)
    .where('action_items.due_at', '<=', horizon)
    .where('action_items.due_reminded_at', 'is', null)
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/** Open items of an incident past their due time that were not yet escalated, locked for this pass. */
export function claimOverdueUnescalated(tx: Executor, now: Date, limit: number) {
  return dueItems(tx)
    .where('action_items.incident_id', 'is not', null)
    .where('action_items.due_at', '<', now)
    .where('action_items.overdue_escalated_at', 'is', null)
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export function markDueReminded(tx: Executor, id: string, now: Date) {
  return tx.updateTable('action_items').set({ due_reminded_at: now }).where('id', '=', id).execute();
}

export function markOverdueEscalated(tx: Executor, id: string, now: Date) {
  return tx.updateTable('action_items').set({ overdue_escalated_at: now }).where('id', '=', id).execute();
}

// --- tracker push ----------------------------------------------------------------------------------

export async function trackerOutboxId(db: Executor, itemId: string): Promise<string | null> {
  const row = await db
    .selectFrom('action_items')
    .select('tracker_outbox_id')
    .where('id', '=', itemId)
    .executeTakeFirst();
  return row?.tracker_outbox_id ?? null;
}

/** The outbox row of an item's latest push: its state, tries and last error. */
export function trackerPush(db: Executor, outboxId: string) {
  return db
    .selectFrom('outbox')
    .select(['id', 'destination', 'status', 'attempts', 'last_error', 'provider_id', 'next_attempt_at'])
    .where('id', '=', outboxId)
    .executeTakeFirst();
}

/**
 * Copies the URL of each issue a push created (the sent row's provider_id) into its item's
 * tracker_url, once: only items still without one.
 */
export function linkPushedIssues(db: Executor, now: Date) {
  return db
    .updateTable('action_items')
    .from('outbox')
    .set((eb) => ({ tracker_url: eb.ref('outbox.provider_id'), updated_at: now }))
    .whereRef('action_items.tracker_outbox_id', '=', 'outbox.id')
    .where('action_items.tracker_url', 'is', null)
    .where('outbox.status', '=', 'sent')
    .where('outbox.provider_id', 'is not', null)
    .returning(['action_items.id', 'action_items.tracker_url', 'outbox.destination'])
    .execute();
}
