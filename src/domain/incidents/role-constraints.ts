import type { Executor } from '../../db/schema.ts';
import { resolveRecipients } from '../paging/recipients.ts';
import { targetOf } from '../paging/steps.ts';
import type { Plan } from '../plans/plan.ts';
import * as incidents from './queries.ts';

// Who may hold a role (roles[].holders) and which roles one person may not hold together
// (roles[].notWith, either way round): one check for roles given by hand, filled automatically or
// taken by the first to acknowledge.

export interface RoleCandidate {
  incidentId: string;
  service: string | null;
  role: string;
  userId: string;
  handle: string;
}

/** Why the person may not take the role now, or undefined when they may. */
export async function roleRefusal(
  db: Executor,
  plan: Plan,
  candidate: RoleCandidate,
  now: Date,
): Promise<string | undefined> {
  const role = plan.roles.find((r) => r.id === candidate.role);
  if (!role) return undefined;
  if (role.holders.length > 0) {
    const allowed = await resolveRecipients(
      db,
      role.holders.map((who) => targetOf(who, plan)),
      { incidentId: candidate.incidentId, service: candidate.service, plan, now },
    );
    if (!allowed.userIds.has(candidate.userId))
      return `${candidate.handle} may not hold ${role.id}: only ${role.holders.join(', ')} (roles[].holders)`;
  }
  const excluded = new Set([
    ...role.notWith,
    ...plan.roles.filter((r) => r.notWith.includes(role.id)).map((r) => r.id),
  ]);
  if (excluded.size === 0) return undefined;
  const held = (await incidents.listRoles(db, candidate.incidentId)).find(
    (r) => r.user === candidate.handle && r.role !== role.id && excluded.has(r.role),
  );
  return held
    ? `${candidate.handle} holds ${held.role}: one person may not hold ${role.id} and ${held.role} at once (roles[].notWith)`
    : undefined;
}
