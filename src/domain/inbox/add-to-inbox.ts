import type { NewRow } from '../../db/schema.ts';

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

/**
 * The row of a notification in a person's inbox: every page lands there, in the page's own
 * transaction (paging/queries.ts insertStepRows writes a step's rows together).
 */
export function inboxRowOf(item: NewInboxItem): NewRow<'inbox_items'> {
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
