import type { Executor } from '../../db/schema.ts';
import { emptyPending, txMemo } from '../../db/tx-memo.ts';
import * as q from './queries.ts';

/**
 * Writes the escalation steps a batch of workflow firings ran and held back (db/tx-memo.ts
 * deferSteps): every step's ack tokens, inbox items and messages in one statement, and every
 * escalation's move with its timeline event in another, whatever the number of incidents. A no-op
 * when nothing waits (or the transaction does not defer).
 */
export async function flushSteps(tx: Executor): Promise<void> {
  const memo = txMemo(tx);
  if (!memo) return;
  const { pending } = memo;
  if (pending.advances.length === 0 && pending.outbox.length === 0 && pending.inbox.length === 0) return;
  memo.pending = emptyPending();
  await q.insertStepRows(tx, pending);
  await q.advanceEscalations(tx, pending.advances);
}
