import type { Executor } from '../../db/schema.ts';
import { Forbidden } from '../../errors.ts';
import type { Actor } from '../context.ts';
import { resolveRecipients } from '../paging/recipients.ts';
import type { Plan } from '../plans/plan.ts';
import type { Incident } from './incident.ts';

// lifecycle.states[].by: only the roles (holders on this incident) and groups (their members, on
// call, leadership, …) it names may move an incident into the state. The engine's own moves (the
// system actor) follow the plan's rules, not a person's.

/** The roles/groups that may move an incident into `state`; [] means anyone. */
export function movers(plan: Plan, state: string): string[] {
  return plan.lifecycle.states.find((s) => s.id === state)?.by ?? [];
}

/** Whether the actor may move this incident into `state`. */
export async function mayEnterState(
  db: Executor,
  plan: Plan,
  incident: Pick<Incident, 'id' | 'service'>,
  actor: Actor,
  state: string,
  now: Date,
): Promise<boolean> {
  const by = movers(plan, state);
  if (by.length === 0 || actor.kind === 'system') return true;
  if (!actor.userId) return false;
  const who = await resolveRecipients(
    db,
    by.map((name) => ({ type: 'group' as const, name })),
    { incidentId: incident.id, service: incident.service, plan, now },
  );
  return who.userIds.has(actor.userId);
}

/** 403 naming the rule when the actor may not move the incident into `state`. */
export async function requireMayEnterState(
  db: Executor,
  plan: Plan,
  incident: Pick<Incident, 'id' | 'service'>,
  actor: Actor,
  state: string,
  now: Date,
): Promise<void> {
  if (await mayEnterState(db, plan, incident, actor, state, now)) return;
  const i = plan.lifecycle.states.findIndex((s) => s.id === state);
  throw new Forbidden(
    `only ${movers(plan, state).join(' or ')} may move an incident to ${state} ` +
      `(plan ${plan.metadata.name}, lifecycle.states[${i}].by); ${actor.name} is neither`,
  );
}
