import type { Executor } from '../../db/schema.ts';
import { parseDuration } from '../../lib/duration.ts';
import * as audit from '../audit/queries.ts';
import type { Actor } from '../context.ts';
import type { Incident } from '../incidents/incident.ts';
import * as incidents from '../incidents/queries.ts';
import { computeTargets } from '../incidents/targets.ts';
import * as paging from '../paging/queries.ts';
import { type Plan, severityOf } from '../plans/plan.ts';
import { draftSections } from './draft.ts';
import * as q from './queries.ts';

/**
 * Called in the resolving transaction: when the severity's plan rule requires a post-mortem, writes
 * its first draft with the due date (severities[].postmortem.due after resolution). The engine's
 * post-mortem timers (compile-plan-rules.ts) remind the commander before and at that date. A second
 * resolution after a reopen keeps the document and moves the due date.
 */
export async function openPostmortemOnResolve(
  tx: Executor,
  c: { incident: Incident; plan: Plan; actor: Actor; now: Date },
): Promise<void> {
  const rule = severityOf(c.plan, c.incident.severity)?.postmortem;
  if (!rule?.required) return;
  const id = c.incident.id;
  const [events, alerts, pages, updates, hypotheses, existing] = await Promise.all([
    q.timelineOfIncident(tx, id),
    q.alertsOfIncident(tx, id),
    paging.listEscalations(tx, id),
    incidents.listUpdates(tx, id),
    incidents.listHypotheses(tx, id),
    q.findPostmortem(tx, id),
  ]);
  const dueAt = rule.due ? new Date(c.now.getTime() + parseDuration(rule.due)) : null;
  const sections = draftSections({
    incident: c.incident,
    plan: c.plan,
    targets: computeTargets(c.incident, c.plan, c.now),
    events,
    alerts,
    pages,
    updates,
    hypotheses,
  });
  const row = await q.upsertPostmortem(tx, {
    incident_id: id,
    title: `Post-mortem: ${c.incident.title}`,
    due_at: dueAt,
    sections: q.sectionsJson(sections),
    created_at: c.now,
    updated_at: c.now,
  });
  if (!row) return; // already published: a reopen does not touch it
  await audit.record(tx, c.actor, c.now, {
    action: existing ? 'postmortem.due_moved' : 'postmortem.created',
    entityType: 'postmortem',
    entityId: id,
    before: existing ? { due_at: existing.due_at } : null,
    after: { status: row.status, due_at: row.due_at },
  });
}
