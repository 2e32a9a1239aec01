import { Invalid, Unauthorized } from '../../errors.ts';
import { isTimeZone } from '../../lib/time-zone.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { type ProfilePatch, profilePatchSchema } from './profile.ts';
import * as users from './queries.ts';
import { publicUser, type User } from './users.ts';

/** The signed-in user changes their own name and time zone (role, email and the rest stay admins'). */
export async function updateProfile({ ctx, input }: Operation<ProfilePatch>): Promise<User> {
  ctx.require('read');
  const userId = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
  if (!userId) throw new Unauthorized('a profile belongs to a signed-in user');
  const patch = profilePatchSchema.parse(input);
  if (patch.time_zone !== undefined && !isTimeZone(patch.time_zone)) {
    throw new Invalid('unknown time zone', [
      { path: 'time_zone', message: `"${patch.time_zone}" is not an IANA time zone` },
    ]);
  }
  return ctx.db.transaction().execute(async (tx) => {
    const before = await users.lockById(tx, userId);
    if (!before) throw new Unauthorized('a profile belongs to a signed-in user');
    const fields = { name: patch.name ?? before.name, time_zone: patch.time_zone ?? before.time_zone };
    if (fields.name === before.name && fields.time_zone === before.time_zone) return before;
    const now = ctx.clock.now();
    const after = await users.update(tx, before.id, { ...fields, updated_at: now });
    await audit.record(tx, ctx.actor, now, {
      action: 'user.profile_updated',
      entityType: 'user',
      entityId: after.id,
      before: publicUser(before),
      after: publicUser(after),
    });
    return after;
  });
}
