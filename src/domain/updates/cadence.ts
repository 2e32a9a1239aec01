import { parseDuration } from '../../lib/duration.ts';
import type { Plan, PlanTemplate, Severity } from '../plans/plan-schema.ts';
import type { IncidentSnapshot } from '../workflows/snapshot.ts';

// When the next update of an audience is due (the plan's cadence per severity), and which of the
// plan's templates drafts an update. Pure: cadence.test.ts. Reminders and overdue marks are the
// plan rules the workflow engine compiles from the same cadence (workflows/compile-plan-rules.ts).

export type Audience = 'internal' | 'external';

/** What the cadence reads of an incident (snapshots and rendering facts both carry it). */
export interface CadenceFacts {
  severity: string;
  declared_at: Date;
  resolved_at?: Date | null;
  state?: string;
  state_entered_at?: Date;
  last_update_at?: { internal: Date | null; external: Date | null };
  next_update_at?: { internal: Date | null; external: Date | null };
}

/** When the next update of an audience is due, and how often after that while none comes. */
export interface CadenceDue {
  due: Date;
  every: number;
}

type CadenceSpec = Severity['cadence'];

/**
 * The one cadence rule (overdue marks, reminders, {next_update}, drafts, drills): the state's own
 * cadence while in a state that has one (counted from the later of the last update and entering it;
 * none: nothing due), else the cadence by age: due at the first moment when the interval in force
 * at that age has passed since the last update (or declaration). A time the last update's author
 * set ("next update at") wins. Null: nothing is due.
 */
export function cadenceDue(plan: Plan, incident: CadenceFacts, audience: Audience): CadenceDue | null {
  if (incident.resolved_at) return null;
  const cadence = plan.severities.find((s) => s.id === incident.severity)?.cadence;
  if (!cadence) return null;
  const last = incident.last_update_at?.[audience] ?? incident.declared_at;
  const promised = incident.next_update_at?.[audience];
  if (promised) {
    // The author said when the next update comes: due then, and at the cadence after that.
    const since = { internal: promised, external: promised };
    const after = cadenceDue(
      plan,
      { ...incident, next_update_at: undefined, last_update_at: since },
      audience,
    );
    return { due: promised, every: after?.every ?? Number.POSITIVE_INFINITY };
  }
  const own = incident.state === undefined ? undefined : cadence.byState?.[incident.state]?.[audience];
  if (own !== undefined) {
    if (own === 'none') return null;
    const every = parseDuration(own);
    const entered = incident.state_entered_at ?? incident.declared_at;
    return { due: new Date(Math.max(last.getTime(), entered.getTime()) + every), every };
  }
  let best: CadenceDue | null = null;
  const segments = ageSegments(cadence, audience);
  segments.forEach((segment, i) => {
    if (segment.every === undefined) return;
    const start = incident.declared_at.getTime() + segment.from;
    const next = segments[i + 1];
    const end = next ? incident.declared_at.getTime() + next.from : Number.POSITIVE_INFINITY;
    const due = Math.max(last.getTime() + segment.every, start);
    if (due < end && (!best || due < best.due.getTime())) best = { due: new Date(due), every: segment.every };
  });
  return best;
}

/** The cadence's intervals by incident age: [from age, interval or undefined for none]. */
function ageSegments(
  cadence: CadenceSpec,
  audience: Audience,
): { from: number; every: number | undefined }[] {
  const ms = (d: string | undefined) => (d === undefined || d === 'none' ? undefined : parseDuration(d));
  let current = cadence[audience];
  const out = [{ from: 0, every: ms(current) }];
  for (const step of cadence.byAge ?? []) {
    current = step[audience] ?? current;
    out.push({ from: parseDuration(step.after), every: ms(current) });
  }
  return out;
}

/** Whether a severity's cadence ever asks for updates of the audience. */
export function hasCadence(cadence: CadenceSpec, audience: Audience): boolean {
  const set = (d: string | undefined) => d !== undefined && d !== 'none';
  return (
    set(cadence[audience]) ||
    (cadence.byAge ?? []).some((s) => set(s[audience])) ||
    Object.values(cadence.byState ?? {}).some((s) => set(s[audience]))
  );
}

/** A cadence in words: "30m, 1h after 2h, none in monitoring". */
export function describeCadence(cadence: CadenceSpec, audience: Audience): string {
  const parts = [cadence[audience] ?? 'none'];
  for (const step of cadence.byAge ?? []) {
    if (step[audience]) parts.push(`${step[audience]} after ${step.after}`);
  }
  for (const [state, own] of Object.entries(cadence.byState ?? {})) {
    if (own[audience]) parts.push(`${own[audience]} in ${state}`);
  }
  return parts.join(', ');
}

/** Due time of the next update of an audience (see cadenceDue). */
export function nextUpdateDue(plan: Plan, incident: IncidentSnapshot, audience: Audience): Date | null {
  return cadenceDue(plan, incident, audience)?.due ?? null;
}

/**
 * The template that drafts an update: the one named, else the plan's template of the audience's
 * kind for the incident's state, else its first template of that kind.
 */
export function pickTemplate(
  plan: Plan,
  audience: Audience,
  state: string,
  name?: string,
): PlanTemplate | undefined {
  if (name) return plan.templates.find((t) => t.id === name);
  const ofKind = plan.templates.filter((t) => t.kind === audience);
  return ofKind.find((t) => t.state === state) ?? ofKind.find((t) => t.state === undefined) ?? ofKind[0];
}
