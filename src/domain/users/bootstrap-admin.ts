import type { Clock } from '../../db/clock.ts';
import { advisoryXactLock, LOCKS } from '../../db/locks.ts';
import type { Db } from '../../db/schema.ts';
import * as audit from '../audit/queries.ts';
import { SYSTEM_ACTOR } from '../context.ts';
import * as users from './queries.ts';
import { hashToken, newToken, tokenPrefix } from './users.ts';

export interface BootstrapResult {
  admin: string;
  /** Set only when a token was created now and has not been shown before. */
  newToken?: string;
}

/**
 * First start creates the admin and a one-time token. TOCSIN_ADMIN_TOKEN, when given, becomes that
 * admin's token instead (and is added later too, so automation can rotate it through the env; the
 * token it replaces is revoked).
 * Serialised by an advisory lock so two instances starting together create one admin.
 */
export async function bootstrapAdmin(db: Db, clock: Clock, fixedToken?: string): Promise<BootstrapResult> {
  return db.transaction().execute(async (tx) => {
    await advisoryXactLock(tx, LOCKS.bootstrapAdmin);
    const now = clock.now();
    let admin = await users.firstAdmin(tx);
    if (!admin) {
      admin = await users.insert(tx, {
        handle: 'admin',
        name: 'Administrator',
        role: 'admin',
        created_at: now,
        updated_at: now,
      });
      await audit.record(tx, SYSTEM_ACTOR, now, {
        action: 'user.created',
        entityType: 'user',
        entityId: admin.id,
        after: { handle: admin.handle, role: admin.role },
      });
    } else if (!fixedToken) {
      return { admin: admin.handle };
    }
    if (fixedToken) {
      // A changed TOCSIN_ADMIN_TOKEN replaces the one it installed before: that one stops working.
      for (const old of await users.revokeEnvTokensExcept(tx, hashToken(fixedToken), now)) {
        await audit.record(tx, SYSTEM_ACTOR, now, {
          action: 'token.revoked',
          entityType: 'api_token',
          entityId: old.id,
          after: { prefix: old.prefix, reason: 'TOCSIN_ADMIN_TOKEN changed' },
        });
      }
      if (await users.findTokenHash(tx, hashToken(fixedToken))) return { admin: admin.handle };
    }
    const token = fixedToken ?? newToken();
    const row = await users.insertToken(tx, {
      user_id: admin.id,
      name: fixedToken ? 'TOCSIN_ADMIN_TOKEN' : 'first start',
      token_hash: hashToken(token),
      prefix: tokenPrefix(token),
      created_at: now,
      from_env: Boolean(fixedToken),
    });
    await audit.record(tx, SYSTEM_ACTOR, now, {
      action: 'token.created',
      entityType: 'api_token',
      entityId: row.id,
      after: { name: row.name, prefix: row.prefix, user: admin.handle },
    });
    return fixedToken ? { admin: admin.handle } : { admin: admin.handle, newToken: token };
  });
}
