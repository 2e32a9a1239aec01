import type { Executor } from '../../db/schema.ts';
import type { NotificationPayload } from '../../notify/message.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import {
  CODE_TTL_MS,
  type ContactMethodRow,
  hashCode,
  newCode,
  verificationDedupKey,
  verificationText,
} from './contacts.ts';
import * as contacts from './queries.ts';
import { checkVerificationSend } from './verification-limits.ts';

/**
 * Replaces the method's code with a fresh one and queues it to the method's own address, in the
 * caller's transaction: the code is stored (hashed) exactly when its message is queued. Used by
 * create and send-code. Refused past the hourly send limits (verification-limits.ts).
 */
export async function issueCode(
  tx: Executor,
  method: ContactMethodRow,
  now: Date,
): Promise<ContactMethodRow> {
  await checkVerificationSend(tx, method, now);
  const code = newCode();
  const generation = method.code_generation + 1;
  const updated = await contacts.updateMethod(tx, method.id, {
    code_hash: hashCode(code),
    code_expires_at: new Date(now.getTime() + CODE_TTL_MS),
    code_attempts: 0,
    code_generation: generation,
    code_sent_at: now,
    updated_at: now,
  });
  const payload: NotificationPayload = {
    kind: 'verify',
    subject: 'Tocsin: confirm this address for your on-call pages',
    text: verificationText(code, method.id),
    code,
  };
  await enqueueNotification(
    tx,
    {
      incidentId: null,
      channel: method.kind,
      destination: method.address,
      template: 'contact-verify',
      payload: { ...payload },
      dedupKey: verificationDedupKey(method.id, generation),
      userId: method.user_id,
      contactMethodId: method.id,
    },
    now,
  );
  return updated;
}
