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
import { automaticStart, meetingDurationMs } from './meeting.ts';
import * as q from './queries.ts';
import { scheduleMeetingInTx } from './schedule-meeting.ts';

/**
 * Whether resolving this incident requires a post-mortem, and its due duration (null: no due date;
 * undefined: not required). The severity's rule comes first; postmortem.requiredWhen triggers (it
 * lasted longer than lastedOver, or one of its custom fields is set) require one at any severity.
 */
export function requiredPostmortemDue(
  plan: Plan,
  incident: Pick<Incident, 'severity' | 'declared_at' | 'fields'>,
  resolvedAt: Date,
): string | null | undefined {
  const rule = severityOf(plan, incident.severity)?.postmortem;
  if (rule?.required) return rule.due ?? null;
  const when = plan.postmortem?.requiredWhen;
  if (!when) return undefined;
  const lasted = resolvedAt.getTime() - incident.declared_at.getTime();
  const tooLong = when.lastedOver !== undefined && lasted > parseDuration(when.lastedOver);
  const flagged = when.fields.some((name) => isSet(incident.fields[name]));
  return tooLong || flagged ? (when.due ?? null) : undefined;
}

/** A custom field counts as set unless it is missing, null, false or empty text. */
function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== '';
}

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
  const due = requiredPostmortemDue(c.plan, c.incident, c.now);
  if (due === undefined) return;
  const id = c.incident.id;
  const [events, alerts, pages, updates, hypotheses, existing] = await Promise.all([
    q.timelineOfIncident(tx, id),
    q.alertsOfIncident(tx, id),
    paging.listEscalations(tx, id),
    incidents.listUpdates(tx, id),
    incidents.listHypotheses(tx, id),
    q.findPostmortem(tx, id),
  ]);
  const dueAt = due ? new Date(c.now.getTime() + parseDuration(due)) : null;
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
  await scheduleAutomaticMeeting(tx, { ...c, firstDraft: !existing });
  await audit.record(tx, c.actor, c.now, {
    action: existing ? 'postmortem.due_moved' : 'postmortem.created',
    entityType: 'postmortem',
    entityId: id,
    before: existing ? { due_at: existing.due_at } : null,
    after: { status: row.status, due_at: row.due_at },
  });
}

/**
 * The plan schedules the meeting at drafting when the severity holds one (severities[].postmortem.
 * meeting) and postmortem.meeting.after says when: only for a first draft, never moving a meeting
 * people already accepted.
 */
async function scheduleAutomaticMeeting(
  tx: Executor,
  c: { incident: Incident; plan: Plan; actor: Actor; now: Date; firstDraft: boolean },
): Promise<void> {
  const after = c.plan.postmortem?.meeting?.after;
  if (!c.firstDraft || !after || !severityOf(c.plan, c.incident.severity)?.postmortem.meeting) return;
  const start = automaticStart(c.now, after);
  await scheduleMeetingInTx(tx, { ...c, start, end: new Date(start.getTime() + meetingDurationMs(c.plan)) });
}
