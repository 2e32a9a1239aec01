import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as users from './queries.ts';
import { saveUser } from './save-user.ts';
import { type User, type UserPatch, userPatchSchema } from './users.ts';

/** Changes some of a user's fields (role, name, email, time zone, leadership); the rest stay. */
export async function updateUser({
  ctx,
  input,
}: Operation<{ handle: string; patch: UserPatch }>): Promise<User> {
  ctx.require('user:write');
  const patch = userPatchSchema.parse(input.patch);
  const before = await users.findByHandle(ctx.db, input.handle);
  if (!before) throw new NotFound('user', input.handle);
  const { item } = await saveUser({
    ctx,
    input: {
      user: {
        handle: before.handle,
        name: patch.name ?? before.name,
        email: patch.email === undefined ? before.email : patch.email,
        role: patch.role ?? before.role,
        leadership: patch.leadership ?? before.leadership,
        time_zone: patch.time_zone ?? before.time_zone,
      },
      mode: 'upsert',
    },
  });
  return item;
}
