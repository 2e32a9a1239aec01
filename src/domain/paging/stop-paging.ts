import type { EscalationStatus, Executor } from '../../db/schema.ts';
import { SYSTEM_ACTOR } from '../context.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import * as incidents from '../incidents/queries.ts';
import * as q from './queries.ts';

// Acknowledgement ends paging escalations (nobody else needs waking) and cancels every page message
// still waiting (a rule's delayed phone call), duration tiers' included — their later tiers still
// come; resolution ends every escalation. Called inside the transaction that acknowledges or resolves,
// so no page goes out after the answer to "acknowledged" was given: messages not yet claimed by a
// provider are cancelled with it.

const KINDS_ENDED: Record<'acknowledged' | 'resolved', readonly ('paging' | 'duration')[]> = {
  acknowledged: ['paging'],
  resolved: ['paging', 'duration'],
};

export async function stopPaging(
  tx: Executor,
  incidentId: string,
  why: 'acknowledged' | 'resolved',
  by: string,
  now: Date,
): Promise<number> {
  const status: EscalationStatus = why;
  const ended = await q.endEscalations(tx, incidentId, KINDS_ENDED[why], status, by, now);
  if (why === 'acknowledged') await q.cancelPendingPagesOfIncident(tx, incidentId, now);
  for (const e of ended) {
    await incidents.appendEvent(tx, {
      incidentId,
      kind: EVENT_KINDS.pagingEnded,
      at: now,
      actor: SYSTEM_ACTOR,
      data: { escalation: e.id, source: e.source, status, by },
    });
  }
  return ended.length;
}
