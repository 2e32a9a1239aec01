import type { Executor } from '../../db/schema.ts';
import * as audit from '../audit/queries.ts';
import { SYSTEM_ACTOR } from '../context.ts';
import * as q from './queries.ts';

/**
 * Engine step: each pushed action item whose issue now exists takes the issue's URL as its
 * tracker_url (audited as the system's change). Returns how many were linked.
 */
export async function linkTrackerIssues({ tx, now }: { tx: Executor; now: Date }): Promise<number> {
  const linked = await q.linkPushedIssues(tx, now);
  for (const item of linked) {
    await audit.record(tx, SYSTEM_ACTOR, now, {
      action: 'action_item.updated',
      entityType: 'action_item',
      entityId: item.id,
      before: { tracker_url: null },
      after: { tracker_url: item.tracker_url, tracker: item.destination },
    });
  }
  return linked.length;
}
