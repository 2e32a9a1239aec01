import type { Executor } from '../../db/schema.ts';
import { emptyPending, txMemo } from '../../db/tx-memo.ts';
import * as workflows from '../workflows/queries.ts';
import * as q from './queries.ts';

/**
 * Writes the escalation steps a batch of workflow firings ran and held back (db/tx-memo.ts
 * deferSteps): every step's ack tokens, inbox items and messages in one statement, and every
 * escalation's move with its timeline event in another, whatever the number of incidents; then the
 * firings' outcomes with their audit entries in a third. A no-op when nothing waits (or the
 * transaction does not defer).
 */
export async function flushSteps(tx: Executor): Promise<void> {
  const memo = txMemo(tx);
  if (!memo) return;
  const { pending } = memo;
  const steps = pending.advances.length + pending.outbox.length + pending.inbox.length;
  if (steps === 0 && pending.runs.length === 0) return;
  memo.pending = emptyPending();
  if (steps > 0) {
    await q.insertStepRows(tx, pending);
    await q.advanceEscalations(tx, pending.advances);
  }
  await workflows.setRunsActionsAudited(tx, pending.runs);
}
