import { Invalid } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { changeIncident, usersByHandle } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import { type AssignRoleInput, assignRoleBodySchema } from './inputs.ts';
import * as incidents from './queries.ts';
import { roleRefusal } from './role-constraints.ts';

export interface RoleAssignment {
  role: string;
  user: string;
  previous: string | null;
}

/** Gives one of the plan's roles to a user; reassigning replaces the holder, visibly in the timeline. */
export async function assignRole({ ctx, input }: Operation<AssignRoleInput>): Promise<RoleAssignment> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = assignRoleBodySchema.parse(body);
  return changeIncident(ctx, incidentId, { refusedWhenResolved: 'assign roles' }, async (c) => {
    if (!c.plan.roles.some((r) => r.id === data.role)) {
      const known = c.plan.roles.map((r) => r.id).join(', ') || 'none';
      throw new Invalid(`unknown role "${data.role}"`, [
        { path: 'role', message: `not a role of plan ${c.plan.metadata.name} (${known})` },
      ]);
    }
    const user = (await usersByHandle(c.tx, [data.user], () => 'user')).get(data.user);
    const holder = await incidents.findRole(c.tx, c.incident.id, data.role);
    const previous = holder?.user ?? null;
    if (!user || previous === data.user) return { role: data.role, user: data.user, previous };
    const refusal = await roleRefusal(
      c.tx,
      c.plan,
      {
        incidentId: c.incident.id,
        service: c.incident.service,
        role: data.role,
        userId: user.id,
        handle: data.user,
      },
      c.now,
    );
    if (refusal) throw new Invalid(refusal, [{ path: 'user', message: refusal }]);
    await incidents.upsertRole(c.tx, {
      incident_id: c.incident.id,
      role: data.role,
      user_id: user.id,
      assigned_at: c.now,
    });
    await c.event(EVENT_KINDS.roleAssigned, { role: data.role, user: data.user, previous });
    await c.audit(
      'incident.role_assigned',
      { role: data.role, user: previous },
      { role: data.role, user: data.user },
    );
    return { role: data.role, user: data.user, previous };
  });
}
