import type { Executor } from '../../db/schema.ts';
import { Conflict, NotFound } from '../../errors.ts';
import type { Actor } from '../context.ts';
import { exerciseTitle } from '../exercises/exercises.ts';
import { resolveRecipients } from '../paging/recipients.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import { publicTitle, renderPlaceholders } from '../plans/placeholders.ts';
import { incidentTypeOf, type Plan } from '../plans/plan.ts';
import { conditionsHold } from '../workflows/evaluate.ts';
import type { IncidentSnapshot } from '../workflows/snapshot.ts';
import type { Incident } from './incident.ts';
import * as incidents from './queries.ts';

// Confidential incidents (issue 11 §3.2). One rule decides who sees one: admins (and the system),
// the incident's own responders (role holders, responders, people it paged) and the roles/groups the
// plan's confidential.visibleTo names. Everyone else is told it does not exist (404), never 403, so
// its existence does not leak; lists, streams and the inbox leave it out.

/** Whether an incident is confidential at declaration: the flag, its type, or the plan's `when`. */
export function confidentialAtDeclaration(
  plan: Plan,
  flag: boolean | undefined,
  facts: Pick<
    IncidentSnapshot,
    'severity' | 'type' | 'service' | 'labels' | 'fields' | 'customer_facing' | 'impact'
  >,
  now: Date,
): boolean {
  if (flag === true || incidentTypeOf(plan, facts.type)?.confidential) return true;
  const when = plan.confidential?.when;
  if (!when) return false;
  const incident = { ...facts, state: '' } as IncidentSnapshot;
  return conditionsHold(when, { incident, plan, now }, {});
}

/**
 * The code name of a confidential incident: the one given, else the plan's pattern. An exercise's
 * says so like its title does, since the code name stands in for the title wherever it goes.
 */
export function codeNameFor(
  plan: Plan,
  given: string | undefined,
  facts: { id: string; severity: string; declaredAt: Date; exercise: boolean },
): string {
  const name =
    given ||
    renderPlaceholders(
      plan.confidential?.codeName ?? 'op-{id}',
      {
        plan,
        incident: { id: facts.id, title: '', severity: facts.severity, declared_at: facts.declaredAt },
      },
      'channel',
    );
  return facts.exercise ? exerciseTitle(name) : name;
}

/** The name an incident goes by outside (status page, subscriber mail): its code name when confidential. */
export function publicName(incident: Pick<Incident, 'title' | 'confidential' | 'code_name'>): string {
  return publicTitle(incident);
}

/** Whether the actor may see this incident at all. */
export async function mayView(
  db: Executor,
  plan: Plan,
  incident: Pick<Incident, 'id' | 'service' | 'confidential'>,
  actor: Actor,
  now: Date,
): Promise<boolean> {
  if (!incident.confidential) return true;
  if (actor.kind === 'system' || actor.role === 'admin') return true;
  if (!actor.userId) return false;
  if (await incidents.isInvolved(db, incident.id, actor.userId)) return true;
  const visibleTo = plan.confidential?.visibleTo ?? [];
  if (visibleTo.length === 0) return false;
  const who = await resolveRecipients(
    db,
    visibleTo.map((name) => ({ type: 'group' as const, name })),
    { incidentId: incident.id, service: incident.service, plan, now },
  );
  return who.userIds.has(actor.userId);
}

/** 404, as for an incident that does not exist, when the actor may not see it. */
export async function requireVisible(
  db: Executor,
  plan: Plan,
  incident: Pick<Incident, 'id' | 'service' | 'confidential'>,
  actor: Actor,
  now: Date,
): Promise<void> {
  if (!(await mayView(db, plan, incident, actor, now))) throw new NotFound('incident', incident.id);
}

/** 409 naming the rule: a confidential incident publishes nothing outside unless the plan allows it. */
export function refuseExternal(plan: Plan, incident: Pick<Incident, 'id' | 'confidential'>): void {
  if (!incident.confidential || plan.confidential?.external === 'approved') return;
  throw new Conflict(
    `incident ${incident.id} is confidential: external updates are off (plan ${plan.metadata.name}, ` +
      'confidential.external: never)',
  );
}

/**
 * Whether the actor may see a live event about this incident (the events stream and the inbox): an
 * unknown or public incident is visible, a confidential one as mayView says.
 */
export async function mayViewIncidentId(
  db: Executor,
  incidentId: string | null | undefined,
  actor: Actor,
  now: Date,
): Promise<boolean> {
  if (!incidentId || !/^[1-9][0-9]{0,17}$/.test(incidentId)) return true;
  const incident = await incidents.findIncident(db, incidentId);
  if (!incident?.confidential) return true;
  const { plan } = await loadPlanVersion(db, incident.plan_name, incident.plan_version);
  return mayView(db, plan, incident, actor, now);
}

/**
 * The incidents among these ids the actor may not see: cross-incident lists (pages, alerts,
 * post-mortems, action items, reports) drop or unlink their rows. One query finds the confidential
 * ones; only those are checked against mayView.
 */
export async function hiddenIncidentIds(
  db: Executor,
  ids: readonly (string | null | undefined)[],
  actor: Actor,
  now: Date,
): Promise<Set<string>> {
  const hidden = new Set<string>();
  if (actor.kind === 'system' || actor.role === 'admin') return hidden;
  const known = ids.filter((id): id is string => typeof id === 'string' && /^[1-9][0-9]{0,17}$/.test(id));
  for (const incident of await incidents.confidentialAmong(db, known)) {
    const { plan } = await loadPlanVersion(db, incident.plan_name, incident.plan_version);
    if (!(await mayView(db, plan, incident, actor, now))) hidden.add(incident.id);
  }
  return hidden;
}

/** 404 (as for a missing incident) when the actor may not see the incident with this id. */
export async function requireVisibleId(
  db: Executor,
  incidentId: string | null | undefined,
  actor: Actor,
  now: Date,
): Promise<void> {
  if (incidentId && (await hiddenIncidentIds(db, [incidentId], actor, now)).has(incidentId)) {
    throw new NotFound('incident', incidentId);
  }
}
