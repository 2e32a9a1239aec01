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

function validUser(input: UserInput) {
  const data = userInputSchema.parse(input);
  if (!isValidTimeZone(data.time_zone)) {
    throw new Invalid('unknown time zone', [
      { path: 'time_zone', message: `"${data.time_zone}" is not an IANA time zone` },
    ]);
  }
  return data;
}

/**
 * Creates a user, or with mode 'upsert' (config as code) brings an existing one in line with the
 * input. A repeat with the same input changes nothing and writes no audit row.
 */
export async function saveUser({
  ctx,
  input,
}: Operation<{ user: UserInput; mode: 'create' | 'upsert' }>): Promise<SaveResult<User>> {
  const [result] = await saveUsers({ ctx, input: { users: [input.user], mode: input.mode } });
  return result as SaveResult<User>;
}

/**
 * saveUser for many users in one transaction and a few statements: one lock of every handle, one
 * insert of the new users, one audit insert (`tocsin apply` of thousands of User documents).
 * Results in input order.
 */
export async function saveUsers({
  ctx,
  input,
}: Operation<{ users: UserInput[]; mode: 'create' | 'upsert' }>): Promise<SaveResult<User>[]> {
  ctx.require('user:write');
  const data = input.users.map(validUser);
  // The same handle twice: each sees the one before it, as separate calls would.
  if (new Set(data.map((d) => d.handle)).size !== data.length) {
    return inTx(ctx.db, async (tx) => {
      const out: SaveResult<User>[] = [];
      for (const user of input.users)
        out.push(...(await saveUsers({ ctx: { ...ctx, db: tx }, input: { ...input, users: [user] } })));
      return out;
    });
  }
  return inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const before = new Map(
      (
        await users.lockManyByHandle(
          tx,
          data.map((d) => d.handle),
        )
      ).map((u) => [u.handle, u]),
    );
    const fieldsOf = (d: (typeof data)[number]) => ({
      name: d.name,
      email: d.email ?? null,
      role: d.role,
      leadership: d.leadership,
      time_zone: d.time_zone,
    });
    const fresh = data.filter((d) => !before.has(d.handle));
    if (input.mode === 'create' && fresh.length < data.length) {
      const taken = data.find((d) => before.has(d.handle));
      throw new Conflict(`user ${taken?.handle} already exists`);
    }
    const created = new Map(
      (
        await users.insertMany(
          tx,
          fresh.map((d) => ({ handle: d.handle, ...fieldsOf(d), created_at: now, updated_at: now })),
        )
      ).map((u) => [u.handle, u]),
    );
    const entries: audit.AuditEntry[] = [];
    const results: SaveResult<User>[] = [];
    for (const d of data) {
      const made = created.get(d.handle);
      if (made) {
        entries.push({
          action: 'user.created',
          entityType: 'user',
          entityId: made.id,
          after: publicUser(made),
        });
        results.push({ item: made, change: 'created' });
        continue;
      }
      const old = before.get(d.handle) as User;
      const fields = fieldsOf(d);
      const same = (Object.keys(fields) as (keyof typeof fields)[]).every((k) => old[k] === fields[k]);
      if (same) {
        results.push({ item: old, change: 'unchanged' });
        continue;
      }
      const after = await users.update(tx, old.id, { ...fields, updated_at: now });
      entries.push({
        action: 'user.updated',
        entityType: 'user',
        entityId: after.id,
        before: publicUser(old),
        after: publicUser(after),
      });
      results.push({ item: after, change: 'updated' });
    }
    await audit.recordMany(tx, ctx.actor, now, entries);
    return results;
  });
}
