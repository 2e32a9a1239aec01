import { sql } from 'kysely';
import type { Executor, NewRow, Row } from '../../db/schema.ts';

export type OutboxStatus = Row<'outbox'>['status'];

/** Queues a message; a repeated dedup key queues nothing (returns undefined). */
export function insertOutbox(db: Executor, row: NewRow<'outbox'>) {
  return db
    .insertInto('outbox')
    .values(row)
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .returning('id')
    .executeTakeFirst();
}

/**
 * Claims up to `limit` due rows of the given channels for delivery: pending rows whose time has come,
 * and sending rows whose lease ran out (their worker died). Locked FOR UPDATE SKIP LOCKED so parallel
 * claims never share a row; each is marked sending, its attempts bumped, and next_attempt_at set to
 * the lease's end. Only rows with attempts left are claimed (see failExhaustedLeases).
 */
export async function claimDueOutbox(
  tx: Executor,
  now: Date,
  channels: string[],
  limit: number,
  leaseUntil: Date,
  maxAttempts: number,
) {
  if (channels.length === 0 || limit <= 0) return [];
  const due = await tx
    .selectFrom('outbox')
    .select('id')
    .where('status', 'in', ['pending', 'sending'])
    .where('next_attempt_at', '<=', now)
    .where('channel', 'in', channels)
    // user:, group: and role: rows name people, not addresses: paging fans them out first.
    .where(sql<boolean>`destination !~ '^(user|group|role):'`)
    .where('attempts', '<', maxAttempts)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
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
 * Cancels pages whose sender died (a `sending` row past its lease, which would be claimed again)
 * when their escalation was acknowledged or resolved meanwhile: the acknowledgement cancelled the
 * pages still pending, and one held by a dead process must not go out after it either. Returns how
 * many.
 */
export async function cancelAnsweredLeases(tx: Executor, now: Date): Promise<number> {
  const result = await tx
    .updateTable('outbox')
    .set({ status: 'cancelled', last_error: 'paging ended while its sender was gone (lease ran out)' })
    .where('status', '=', 'sending')
    .where('next_attempt_at', '<=', now)
    .where('escalation_id', 'in', (eb) =>
      eb
        .selectFrom('escalations')
        .select('id')
        .where('status', 'in', ['acknowledged', 'resolved', 'cancelled']),
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

export type DeliveryOutcome =
  | { status: 'sent'; providerId: string; at: Date }
  | { status: 'pending'; error: string; retryAt: Date }
  | { status: 'failed'; error: string };

/** Records an attempt's outcome, unless the row moved on meanwhile (another claim); true if recorded. */
export async function recordOutboxAttempt(
  db: Executor,
  id: string,
  attempt: number,
  outcome: DeliveryOutcome,
): Promise<boolean> {
  const set =
    outcome.status === 'sent'
      ? { status: 'sent' as const, provider_id: outcome.providerId, sent_at: outcome.at, last_error: null }
      : outcome.status === 'pending'
        ? { status: 'pending' as const, last_error: outcome.error, next_attempt_at: outcome.retryAt }
        : { status: 'failed' as const, last_error: outcome.error };
  const result = await db
    .updateTable('outbox')
    .set(set)
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('attempts', '=', attempt)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Outbox rows, newest first, optionally of one status (dead letters: failed). */
export function listOutbox(db: Executor, status: OutboxStatus | undefined, limit: number) {
  let q = db.selectFrom('outbox').selectAll().orderBy('id', 'desc').limit(limit);
  if (status) q = q.where('status', '=', status);
  return q.execute();
}
