import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Executor } from '../../db/schema.ts';
import * as q from './queries.ts';

// What a paged person acknowledges with when they are not at a terminal: a link (email, push, chat
// cards) carrying a random token, stored only as its hash, and a 4-digit code for an SMS reply or a
// phone keypad. Codes are unique among a person's live codes, so a reply names one page.

/** How long a page's link and code work. */
export const ACK_TOKEN_TTL_MS = 7 * 24 * 3600_000;

export function hashAckToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface AckHandle {
  url: string;
  code: string;
}

/**
 * A link and code for one message paging this user on behalf of this escalation. Each message gets its
 * own link token (a forwarded or older message keeps working); the code stays the same for the whole
 * escalation, so "reply 4821" means the same thing on every SMS of it.
 */
export async function ackHandleFor(
  tx: Executor,
  input: {
    escalationId: string;
    incidentId: string | null;
    userId: string;
    now: Date;
    publicUrl: string;
    /** The escalation's first step: nobody has a code of it yet, so none is looked up (hot path). */
    firstStep: boolean;
  },
): Promise<AckHandle> {
  const token = randomBytes(24).toString('base64url');
  const earlier = input.firstStep
    ? undefined
    : await q.codeOfEscalation(tx, input.escalationId, input.userId);
  const code = earlier?.code ?? (await freeCode(tx, input.userId, input.now));
  await q.insertAckToken(tx, {
    token_hash: hashAckToken(token),
    code,
    escalation_id: input.escalationId,
    incident_id: input.incidentId,
    user_id: input.userId,
    created_at: input.now,
    expires_at: new Date(input.now.getTime() + ACK_TOKEN_TTL_MS),
  });
  return { url: ackUrl(input.publicUrl, token), code };
}

function ackUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/ack/${token}`;
}

async function freeCode(tx: Executor, userId: string, now: Date): Promise<string> {
  const taken = new Set((await q.liveCodesOf(tx, userId, now)).map((r) => r.code));
  for (let i = 0; i < 50; i++) {
    const code = String(randomInt(1000, 10_000));
    if (!taken.has(code)) return code;
  }
  // 50 misses means thousands of live pages for one person; a 6-digit code still works.
  return String(randomInt(100_000, 1_000_000));
}
