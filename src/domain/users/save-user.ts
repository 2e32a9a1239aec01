import { inTx } from '../../db/tx.ts';
import { Conflict, Invalid } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import * as users from './queries.ts';
import { isValidTimeZone, publicUser, type User, type UserInput, userInputSchema } from './users.ts';

export interface SaveResult<T> {
  item: T;
  change: 'created' | 'updated' | 'unchanged';
}

/**
 * Creates a user, or with mode 'upsert' (config as code) brings an existing one in line with the
 * input. A repeat with the same input changes nothing and writes no audit row.
 */
export async function saveUser({
  ctx,
  input,
}: Operation<{ user: UserInput; mode: 'create' | 'upsert' }>): Promise<SaveResult<User>> {
  ctx.require('user:write');
  const data = userInputSchema.parse(input.user);
  if (!isValidTimeZone(data.time_zone)) {
    throw new Invalid('unknown time zone', [
      { path: 'time_zone', message: `"${data.time_zone}" is not an IANA time zone` },
    ]);
  }
  return inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const before = await users.lockByHandle(tx, data.handle);
    const fields = {
      name: data.name,
      email: data.email ?? null,
      role: data.role,
      leadership: data.leadership,
      time_zone: data.time_zone,
    };
    if (!before) {
      const created = await users.insert(tx, {
        handle: data.handle,
        ...fields,
        created_at: now,
        updated_at: now,
      });
      await audit.record(tx, ctx.actor, now, {
        action: 'user.created',
        entityType: 'user',
        entityId: created.id,
        after: publicUser(created),
      });
      return { item: created, change: 'created' };
    }
    if (input.mode === 'create') throw new Conflict(`user ${data.handle} already exists`);
    const same = (Object.keys(fields) as (keyof typeof fields)[]).every((k) => before[k] === fields[k]);
    if (same) return { item: before, change: 'unchanged' };
    const after = await users.update(tx, before.id, { ...fields, updated_at: now });
    await audit.record(tx, ctx.actor, now, {
      action: 'user.updated',
      entityType: 'user',
      entityId: after.id,
      before: publicUser(before),
      after: publicUser(after),
    });
    return { item: after, change: 'updated' };
  });
}
