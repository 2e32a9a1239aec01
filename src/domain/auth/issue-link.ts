import type { Executor, Row } from '../../db/schema.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import { hashSecret, LINK_PATH, LINK_TTL_MS, type LinkPurpose, newSecret } from './auth.ts';
import * as q from './queries.ts';

export interface IssuedLink {
  id: string;
  url: string;
  expires_at: Date;
}

/**
 * A new one-time link for a user, inside the caller's transaction. Earlier unused links of the same
 * purpose stop working, so only the newest email (or printout) counts.
 */
export async function issueLink(
  tx: Executor,
  user: Row<'users'>,
  purpose: LinkPurpose,
  createdBy: string,
  publicUrl: string,
  now: Date,
): Promise<IssuedLink> {
  await q.expireLinks(tx, user.id, purpose, now);
  const token = newSecret();
  const row = await q.insertLink(tx, {
    user_id: user.id,
    purpose,
    token_hash: hashSecret(token),
    created_at: now,
    expires_at: new Date(now.getTime() + LINK_TTL_MS[purpose]),
    created_by: createdBy,
  });
  return { id: row.id, url: `${publicUrl}${LINK_PATH[purpose]}?token=${token}`, expires_at: row.expires_at };
}

/** Queues the email carrying a link through the outbox (sent by the engine's email provider). */
export async function emailLink(
  tx: Executor,
  user: Row<'users'> & { email: string },
  link: IssuedLink,
  message: { subject: string; text: string },
  now: Date,
): Promise<void> {
  await enqueueNotification(
    tx,
    {
      incidentId: null,
      channel: 'email',
      destination: user.email,
      // kind auth-link: the outbox API hides the link (it signs in as the recipient).
      payload: { kind: 'auth-link', subject: message.subject, text: message.text },
      dedupKey: `auth-link:${link.id}`,
      userId: user.id,
    },
    now,
  );
}
