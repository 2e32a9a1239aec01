import type { Clock } from '../../db/clock.ts';
import type { Db } from '../../db/schema.ts';
import * as audit from '../audit/queries.ts';
import { SYSTEM_ACTOR } from '../context.ts';
import * as users from '../users/queries.ts';
import { issueLink } from './issue-link.ts';

/**
 * The admin's way into the console: while the first admin has no password (and password sign-in is
 * on), each start issues a one-time link to choose one, to print (it is shown nowhere else; only its
 * hash is stored). A new link replaces the last, so a lost terminal costs only a restart.
 */
export async function firstSignInLink(db: Db, clock: Clock, publicUrl: string): Promise<string | undefined> {
  return db.transaction().execute(async (tx) => {
    const admin = await users.firstAdmin(tx);
    if (!admin || admin.password_hash) return undefined;
    const now = clock.now();
    const link = await issueLink(tx, admin, 'first', SYSTEM_ACTOR.name, publicUrl, now);
    await audit.record(tx, SYSTEM_ACTOR, now, {
      action: 'user.first_sign_in_link',
      entityType: 'user',
      entityId: admin.id,
      after: { expires_at: link.expires_at },
    });
    return link.url;
  });
}
