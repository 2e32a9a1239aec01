import type { Clock } from '../../db/clock.ts';
import type { Db } from '../../db/schema.ts';
import type { Actor } from '../context.ts';
import { type AuthConfig, hashSecret, SESSION_TOUCH_EVERY_MS, sessionLive } from './auth.ts';
import * as q from './queries.ts';
import { actorOf } from './start-session.ts';

export interface SessionActor {
  actor: Actor;
  sessionId: string;
}

/** The actor behind a session cookie, or null when the session is unknown, ended, idle or too old. */
export async function authenticateSession(
  db: Db,
  clock: Clock,
  token: string,
  config: Pick<AuthConfig, 'sessionIdleMs'>,
): Promise<SessionActor | null> {
  const row = await q.sessionByHash(db, hashSecret(token));
  const now = clock.now();
  if (!row || !sessionLive(row, now, config.sessionIdleMs)) return null;
  if (now.getTime() - row.last_seen_at.getTime() >= SESSION_TOUCH_EVERY_MS) {
    await q.touchSession(db, row.session_id, now);
  }
  return { actor: actorOf(row), sessionId: row.session_id };
}
