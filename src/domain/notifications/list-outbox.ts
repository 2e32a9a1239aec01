import { z } from 'zod';
import type { Row } from '../../db/schema.ts';
import type { Operation } from '../context.ts';
import * as outbox from './queries.ts';

export const listOutboxQuerySchema = z.strictObject({
  status: z.enum(['pending', 'sending', 'sent', 'failed', 'cancelled']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * A payload as the API shows it: secrets a message carries for its recipient alone — a verification
 * code, an acknowledge link (it acknowledges as that person), an invitation or reset link — are hidden.
 */
function shownPayload(payload: unknown): unknown {
  if (!payload || typeof payload !== 'object') return payload;
  const p = { ...(payload as Record<string, unknown>) };
  if (p.kind === 'verify') {
    if ('code' in p) p.code = '(hidden)';
    if (typeof p.text === 'string') p.text = p.text.replace(/\b\d{6}\b/g, '(code)');
  }
  if (p.ack && typeof p.ack === 'object') p.ack = { url: '(hidden)', code: '(hidden)' };
  // Invitation and reset links sign in as their recipient (src/domain/auth/issue-link.ts).
  if (p.kind === 'auth-link' && typeof p.text === 'string')
    p.text = p.text.replace(/token=[\w-]+/g, 'token=(hidden)');
  // Status page subscribers' confirmation and unsubscribe links (src/domain/subscribers): theirs alone.
  if (p.kind === 'status' || (p.meta && typeof p.meta === 'object' && 'unsubscribe' in p.meta)) {
    return JSON.parse(JSON.stringify(p).replace(/token=[\w-]+/g, 'token=(hidden)'));
  }
  return p;
}

export function publicOutboxMessage(row: Row<'outbox'>) {
  return {
    id: row.id,
    incident_id: row.incident_id,
    channel: row.channel,
    destination: row.destination,
    template: row.template,
    payload: shownPayload(row.payload),
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.next_attempt_at,
    last_error: row.last_error,
    provider_id: row.provider_id,
    created_at: row.created_at,
    sent_at: row.sent_at,
  };
}

/** Queued notifications, newest first; `status: failed` lists the dead letters. */
export async function listOutbox({ ctx, input }: Operation<z.infer<typeof listOutboxQuerySchema>>) {
  ctx.require('outbox:read');
  return (await outbox.listOutbox(ctx.db, input.status, input.limit)).map(publicOutboxMessage);
}
