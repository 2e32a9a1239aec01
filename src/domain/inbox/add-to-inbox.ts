import type { Executor } from '../../db/schema.ts';
import * as q from './queries.ts';

export interface NewInboxItem {
  userId: string;
  incidentId: string | null;
  escalationId: string | null;
  /** One item per person and key (an escalation step): a step run twice adds nothing. */
  dedupKey: string;
  title: string;
  body: string;
  url: string | null;
  now: Date;
}

/** Puts notifications in people's inboxes in one statement (everyone a step pages), in the caller's transaction (the page's own). */
export async function addManyToInbox(tx: Executor, items: readonly NewInboxItem[]): Promise<void> {
  await q.insertItems(tx, items.map(rowOf));
}

function rowOf(item: NewInboxItem) {
  return {
    user_id: item.userId,
    incident_id: item.incidentId,
    escalation_id: item.escalationId,
    dedup_key: item.dedupKey,
    title: item.title,
    body: item.body,
    url: item.url,
    created_at: item.now,
  };
}
