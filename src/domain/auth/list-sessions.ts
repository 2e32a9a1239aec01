import type { Operation } from '../context.ts';
import { sessionLive } from './auth.ts';
import * as q from './queries.ts';
import { sessionOwner } from './session-owner.ts';

export interface SessionView {
  id: string;
  method: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
  /** The session this request came with. */
  current: boolean;
}

/**
 * The caller's own live sessions (where they are signed in), most recently used first, so they can
 * end one they do not recognise; admins name a user to see theirs. Never the session tokens: only
 * their hashes are stored.
 */
export async function listSessions({
  ctx,
  input,
}: Operation<{ currentSessionId: string | null; idleMs: number; user?: string | undefined }>): Promise<
  SessionView[]
> {
  const userId = await sessionOwner(ctx, input.user);
  const now = ctx.clock.now();
  const rows = await q.unrevokedSessionsOf(ctx.db, userId);
  return rows
    .filter((s) => sessionLive(s, now, input.idleMs))
    .map(({ revoked_at: _, ...s }) => ({ ...s, current: s.id === input.currentSessionId }));
}
