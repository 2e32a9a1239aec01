import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Executor, NewRow } from '../../db/schema.ts';
import { txMemo } from '../../db/tx-memo.ts';
import { flushSteps } from './flush-steps.ts';
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

export interface AckHandleInput {
  escalationId: string;
  incidentId: string | null;
  now: Date;
  publicUrl: string;
  /** The escalation's first step: nobody has a code of it yet, so none is looked up (hot path). */
  firstStep: boolean;
}

/**
 * A link and code for each person a step pages, on behalf of this escalation. Each message gets its
 * own link token (a forwarded or older message keeps working); the code stays the same for the whole
 * escalation, so "reply 4821" means the same thing on every SMS of it. Reads the escalation's codes
 * (after its first step) and the people's live codes, one statement each whatever their number; the
 * caller inserts the returned rows with the step's other rows (paging/queries.ts insertStepRows).
 */
export async function newAckHandles(
  tx: Executor,
  input: AckHandleInput,
  userIds: readonly string[],
): Promise<{ handles: Map<string, AckHandle>; rows: NewRow<'ack_tokens'>[] }> {
  const handles = new Map<string, AckHandle>();
  if (userIds.length === 0) return { handles, rows: [] };
  if (!input.firstStep) await flushSteps(tx);
  const earlier = input.firstStep
    ? new Map<string, string>()
    : new Map((await q.codesOfEscalation(tx, input.escalationId, userIds)).map((r) => [r.user_id, r.code]));
  const needCode = userIds.filter((id) => !earlier.has(id));
  // In an engine tick, each person's live codes are read once and grown by the codes the tick hands
  // out (db/tx-memo.ts), so the tick's later pages to them pick around those too.
  const memo = txMemo(tx);
  const taken = memo?.liveCodes ?? new Map<string, Set<string>>();
  const unread = memo ? needCode.filter((id) => !taken.has(id)) : needCode;
  for (const id of unread) taken.set(id, new Set());
  for (const r of await q.liveCodesOfUsers(tx, unread, input.now)) taken.get(r.user_id)?.add(r.code);
  const rows = userIds.map((userId) => {
    const token = randomBytes(24).toString('base64url');
    const own = taken.get(userId) ?? new Set<string>();
    const code = earlier.get(userId) ?? freeCode(own);
    own.add(code);
    handles.set(userId, { url: ackUrl(input.publicUrl, token), code });
    return {
      token_hash: hashAckToken(token),
      code,
      escalation_id: input.escalationId,
      incident_id: input.incidentId,
      user_id: userId,
      created_at: input.now,
      expires_at: new Date(input.now.getTime() + ACK_TOKEN_TTL_MS),
    };
  });
  return { handles, rows };
}

function ackUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/ack/${token}`;
}

function freeCode(taken: ReadonlySet<string>): string {
  for (let i = 0; i < 50; i++) {
    const code = String(randomInt(1000, 10_000));
    if (!taken.has(code)) return code;
  }
  // 50 misses means thousands of live pages for one person; a 6-digit code still works.
  return String(randomInt(100_000, 1_000_000));
}
