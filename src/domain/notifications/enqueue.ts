import type { Executor, NewRow } from '../../db/schema.ts';
import * as outbox from './queries.ts';

// Queues a message in the outbox inside the caller's transaction, so the message exists exactly when
// the change that caused it commits. Delivery (providers, retries, throttling) reads the outbox later.

/**
 * How a message is addressed. `channel` is the delivery kind (chat, email, sms, phone, push, webhook,
 * page, or auto = the recipient's own preferences); `destination` a logical address resolved at
 * delivery: `#channel`, `user:<handle>`, `role:<incident role>`, `group:<team>`, `page:<target>` or a URL.
 */
export interface OutboxMessage {
  incidentId: string | null;
  channel: string;
  destination: string;
  template?: string | undefined;
  payload: Record<string, unknown>;
  /** Unique per message; a message with a key already queued is not queued again. */
  dedupKey: string;
  /** Paging: the person paged, the escalation that paged them, and the contact method used. */
  userId?: string | null | undefined;
  escalationId?: string | null | undefined;
  contactMethodId?: string | null | undefined;
  /** Not before this time (a notification rule's delay); default now. */
  notBefore?: Date | undefined;
}

/** The new outbox row's id, or undefined when the dedup key was already queued. */
export async function enqueueNotification(
  tx: Executor,
  message: OutboxMessage,
  now: Date,
): Promise<string | undefined> {
  const row = await outbox.insertOutbox(tx, outboxRowOf(message, now));
  return row ? String(row.id) : undefined;
}

/** The outbox row of a message (several are inserted together by a step paging a group). */
export function outboxRowOf(message: OutboxMessage, now: Date): NewRow<'outbox'> {
  return {
    incident_id: message.incidentId,
    channel: message.channel,
    destination: message.destination,
    template: message.template ?? null,
    payload: JSON.stringify(message.payload),
    next_attempt_at: message.notBefore ?? now,
    dedup_key: message.dedupKey,
    created_at: now,
    user_id: message.userId ?? null,
    escalation_id: message.escalationId ?? null,
    contact_method_id: message.contactMethodId ?? null,
  };
}
