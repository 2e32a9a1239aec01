import type { Logger } from 'pino';
import { parseDuration } from '../../lib/duration.ts';
import { MILESTONE_OF, targetDueAt } from '../incidents/targets.ts';
import type { Plan } from '../plans/plan.ts';
import { cadenceDue } from '../updates/cadence.ts';
import {
  addPlanSpan,
  isBusinessHours,
  planBusinessHours,
  planSpanOf,
  spanElapsed,
} from './business-hours.ts';
import { effectiveRules } from './compile-plan-rules.ts';
import { matches } from './match.ts';
import {
  isElapsedTrigger,
  isEventTrigger,
  isOverdueTrigger,
  isTargetTrigger,
  type OverdueTrigger,
  type Rule,
} from './rules.ts';
import { type IncidentSnapshot, lastAnyUpdate } from './snapshot.ts';
import type { TargetTrigger, TimerTrigger, WorkflowCondition } from './workflow-schema.ts';

// The evaluator: pure. Given a plan, an incident, a trigger and the time, it says which rules fire,
// each with the key that makes the firing idempotent (workflow_runs is unique on incident, rule name
// and trigger key) and the facts its conditions and templates see.

/**
 * Events that workflow actions produce carry `workflow` (the rule that produced them) and `chain`
 * (how many workflow firings led to them). A rule never fires for its own event, and nothing fires
 * for an event this deep in a chain, so two rules that feed each other cannot loop forever.
 */
export const MAX_CHAIN_DEPTH = 5;

export type Trigger =
  | { kind: 'event'; eventId: string; event: string; data: Record<string, unknown> }
  | { kind: 'timer' };

/** What a trigger adds to the incident: which target, role or audience it is about, and a due time. */
export interface TriggerFacts {
  event?: string;
  target?: string;
  role?: string;
  audience?: string;
  due_at?: Date;
  /** update.published: the update, whose text is {message}. */
  update_id?: string;
  /** incident.severity_changed: the severity before. */
  severity_from?: string;
  /** verification.failed / verification.passed: what the checks measured ({reason}). */
  reason?: string;
}

export interface Firing {
  rule: Rule;
  triggerKey: string;
  facts: TriggerFacts;
}

export interface EvaluateInput {
  plan: Plan;
  incident: IncidentSnapshot;
  trigger: Trigger;
  now: Date;
  /** Defaults to effectiveRules(plan). */
  rules?: Rule[];
}

export function evaluate(input: EvaluateInput): Firing[] {
  const rules = input.rules ?? effectiveRules(input.plan);
  return input.trigger.kind === 'event'
    ? evaluateEvent(input, rules, input.trigger)
    : evaluateTimers(input, rules);
}

/**
 * evaluate() for the engine: a plan version the evaluator cannot read (stored specs are validated, so
 * this means a bug) is logged and skipped instead of failing every tick and stalling the event queue.
 */
export function safeEvaluate(env: { log?: Logger | undefined }, input: EvaluateInput): Firing[] {
  try {
    return evaluate(input);
  } catch (error) {
    env.log?.error({ err: error, incident: input.incident.id }, 'workflow evaluation failed');
    return [];
  }
}

/** How deep in a chain of workflow firings an event is (0 for events people or alerts caused). */
export function chainDepth(data: Record<string, unknown>): number {
  const chain = data.chain;
  return typeof chain === 'number' && Number.isFinite(chain) ? chain : 0;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function evaluateEvent(
  input: EvaluateInput,
  rules: Rule[],
  trigger: Extract<Trigger, { kind: 'event' }>,
): Firing[] {
  if (chainDepth(trigger.data) >= MAX_CHAIN_DEPTH) return [];
  const facts = compact({
    event: trigger.event,
    target: text(trigger.data.target),
    role: text(trigger.data.role),
    audience: text(trigger.data.audience),
    update_id: text(trigger.data.update_id),
    severity_from: trigger.event === 'incident.severity_changed' ? text(trigger.data.from) : undefined,
    reason: trigger.event.startsWith('verification.') ? text(trigger.data.reason) : undefined,
  });
  const producer = trigger.data.workflow;
  return rules
    .filter((r) => isEventTrigger(r.when) && r.when === trigger.event && r.name !== producer)
    .filter((r) => conditionsHold(r.if, input, facts))
    .map((rule) => ({ rule, triggerKey: `event:${trigger.eventId}`, facts }));
}

function evaluateTimers(input: EvaluateInput, rules: Rule[]): Firing[] {
  const out: Firing[] = [];
  for (const rule of rules) {
    // A published post-mortem needs no more reminding (the rule's timers would otherwise outlive it).
    if (rule.untilPostmortemPublished && input.incident.postmortem_published_at) continue;
    const due = timerDue(rule, input);
    if (due && conditionsHold(rule.if, input, due.facts)) {
      out.push({ rule, triggerKey: due.key, facts: due.facts });
    }
  }
  return out;
}

/**
 * Whether a timer of these rules is due but held back by a condition that can turn without the
 * incident's timeline changing (business hours, other incidents open): the timers pass keeps
 * looking at such an incident on every pass, as it looked at every incident before.
 */
export function timerHeldByClock(input: EvaluateInput, rules: Rule[]): boolean {
  for (const rule of rules) {
    if (rule.if?.businessHours === undefined && rule.if?.openIncidents === undefined) continue;
    if (rule.untilPostmortemPublished && input.incident.postmortem_published_at) continue;
    const due = timerDue(rule, input);
    if (due && !conditionsHold(rule.if, input, due.facts)) return true;
  }
  return false;
}

interface Due {
  key: string;
  facts: TriggerFacts;
}

function timerDue(rule: Rule, input: EvaluateInput): Due | undefined {
  const { when } = rule;
  if (isTargetTrigger(when)) return targetDue(when, input);
  // Timers anchored on resolution run after it; every other elapsed or cadence timer only while open.
  if (isElapsedTrigger(when) && when.since === 'resolved') return elapsedDue(when, input);
  if (input.incident.resolved_at) return undefined;
  if (isElapsedTrigger(when)) return elapsedDue(when, input);
  if (isOverdueTrigger(when)) return overdueDue(when, input);
  return undefined;
}

/** Where an elapsed timer counts from (null: not running, e.g. `since: state` in another state). */
export function anchorOf(when: TimerTrigger, incident: IncidentSnapshot): Date | null {
  switch (when.since ?? 'declared') {
    case 'declared':
      return incident.declared_at;
    case 'state':
      return when.state === undefined || when.state === incident.state ? incident.state_entered_at : null;
    case 'acknowledged':
      return incident.acknowledged_at;
    case 'last_update':
      return lastAnyUpdate(incident) ?? incident.declared_at;
    case 'last_internal_update':
      return incident.last_update_at.internal ?? incident.declared_at;
    case 'last_external_update':
      return incident.last_update_at.external ?? incident.declared_at;
    case 'resolved':
      return incident.resolved_at;
    case 'last_page':
      return incident.last_page_at ?? null;
    case 'role_assigned':
      return when.role === undefined ? null : (incident.role_assigned_at?.[when.role] ?? null);
    case 'scheduled':
      return scheduledAt(incident, when.field);
  }
}

/** The time a person scheduled in a custom field (an ISO time); anything else schedules nothing. */
function scheduledAt(incident: IncidentSnapshot, field: string | undefined): Date | null {
  const value = field === undefined ? undefined : incident.fields[field];
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : new Date(at);
}

/** The latest n ≥ 1 with anchor + n·period ≤ now (only n = 1 when not repeating), or 0. */
function periodsElapsed(anchor: Date, periodMs: number, now: Date, repeat: boolean): number {
  const passed = now.getTime() - anchor.getTime();
  if (passed < periodMs || passed < 0) return 0;
  if (!repeat || periodMs <= 0) return 1;
  return Math.floor(passed / periodMs);
}

function elapsedDue(when: TimerTrigger, input: EvaluateInput): Due | undefined {
  const since = when.since ?? 'declared';
  const anchor = anchorOf(when, input.incident);
  if (!anchor) return undefined;
  // A business-time timer ("4bh") counts only business hours between the anchor and now.
  const hours = planBusinessHours(input.plan);
  const span = planSpanOf(when.elapsed, hours);
  const passed = new Date(anchor.getTime() + spanElapsed(anchor, input.now, span, hours));
  const n = periodsElapsed(anchor, span.ms, passed, when.repeat === true);
  if (n < 1) return undefined;
  // A new anchor (a new state entry, a new update) restarts the timer under a new key.
  const base =
    since === 'declared' ? `elapsed:${when.elapsed}` : `elapsed:${when.elapsed}:${since}@${iso(anchor)}`;
  // A resolution-anchored timer is due once; a reopen and a new resolution make a new key.
  return {
    key: when.repeat ? `${base}#${n}` : base,
    facts: { due_at: addPlanSpan(anchor, { ms: n * span.ms, business: span.business }, hours) },
  };
}

function targetDue(when: TargetTrigger, input: EvaluateInput): Due | undefined {
  const { incident, now } = input;
  const due = targetDueAt(input.plan, incident, when.target);
  if (!due) return undefined;
  const metAt = incident[MILESTONE_OF[when.target]] as Date | null;
  const before = parseDuration(when.before ?? '0s');
  const facts: TriggerFacts = { target: when.target, due_at: due };
  if (before === 0) {
    // Breached: the due time passed unmet (consistent with incidents/targets.ts targetStatus).
    const end = metAt ?? incident.resolved_at ?? now;
    return end.getTime() > due.getTime() && now.getTime() > due.getTime()
      ? { key: `target:${when.target}`, facts }
      : undefined;
  }
  // A reminder ahead of the due time: only while the incident is open and the target unmet.
  if (incident.resolved_at || metAt) return undefined;
  return now.getTime() >= due.getTime() - before
    ? { key: `target:${when.target}:-${when.before}`, facts }
    : undefined;
}

function overdueDue(when: OverdueTrigger, input: EvaluateInput): Due | undefined {
  const cadence = cadenceDue(input.plan, input.incident, when.overdue);
  if (!cadence || cadence.every <= 0) return undefined;
  if (when.ahead !== undefined) {
    const at = earlyAt(when, cadence.due, input.incident);
    return at !== undefined && input.now.getTime() >= at
      ? {
          key: `early:${when.overdue}:${iso(cadence.due)}`,
          facts: { audience: when.overdue, due_at: cadence.due },
        }
      : undefined;
  }
  if (when.by !== undefined) {
    // Once per missed update: a new update (or state) moves the due moment, and so the key.
    const at = cadence.due.getTime() + parseDuration(when.by);
    return input.now.getTime() >= at
      ? {
          key: `overdue:${when.overdue}:by:${iso(cadence.due)}`,
          facts: { audience: when.overdue, due_at: cadence.due },
        }
      : undefined;
  }
  // Overdue only once the due moment has passed: an update posted exactly on time is on time
  // (as targets count their due moment as met); again at each further interval without one.
  const late = input.now.getTime() - 1 - cadence.due.getTime();
  if (late < 0) return undefined;
  const due = new Date(cadence.due.getTime() + Math.floor(late / cadence.every) * cadence.every);
  return { key: `overdue:${when.overdue}:${iso(due)}`, facts: { audience: when.overdue, due_at: due } };
}

/**
 * When an early reminder (overdue trigger with `ahead`) falls due: that long before the due moment,
 * or never when that is not after the audience's last update (a cadence in force shorter than the
 * lead leaves no room for one).
 */
export function earlyAt(when: OverdueTrigger, due: Date, incident: IncidentSnapshot): number | undefined {
  if (when.ahead === undefined) return undefined;
  const at = due.getTime() - parseDuration(when.ahead);
  const last = incident.last_update_at[when.overdue] ?? incident.declared_at;
  return at > last.getTime() ? at : undefined;
}

/** A field for `fields:` conditions: a custom field, else a column of the incident (e.g. title). */
export function fieldValue(incident: IncidentSnapshot, name: string): unknown {
  if (name.startsWith('labels.')) return incident.labels[name.slice('labels.'.length)];
  if (Object.hasOwn(incident.fields, name)) return incident.fields[name];
  if (name === 'last_update_at') return lastAnyUpdate(incident);
  if (Object.hasOwn(incident, name)) return (incident as unknown as Record<string, unknown>)[name];
  return undefined;
}

/** Whether `to` is more severe than `from` (severities are listed most severe first). */
function raised(plan: Plan, from: string | undefined, to: string): boolean {
  if (from === undefined) return false;
  const index = (id: string) => plan.severities.findIndex((s) => s.id === id);
  return index(to) >= 0 && index(from) >= 0 && index(to) < index(from);
}

/** Open incidents of `severityAtLeast` or more severe (all open ones without it), per the snapshot. */
function openIncidentsHold(
  plan: Plan,
  incident: IncidentSnapshot,
  cond: NonNullable<WorkflowCondition['openIncidents']>,
): boolean {
  const counts = incident.open_incidents ?? {};
  const limit = cond.severityAtLeast ? plan.severities.findIndex((s) => s.id === cond.severityAtLeast) : -1;
  const severe = cond.severityAtLeast
    ? new Set(plan.severities.slice(0, limit + 1).map((s) => s.id))
    : undefined;
  let open = 0;
  for (const [severity, n] of Object.entries(counts)) if (!severe || severe.has(severity)) open += n;
  return open >= cond.atLeast;
}

export function conditionsHold(
  cond: WorkflowCondition | undefined,
  input: Pick<EvaluateInput, 'incident' | 'plan' | 'now'>,
  facts: TriggerFacts,
): boolean {
  if (!cond) return true;
  const { incident } = input;
  const simple: [unknown, WorkflowCondition['severity']][] = [
    [incident.severity, cond.severity],
    [incident.type ?? undefined, cond.type],
    [incident.state, cond.state],
    [incident.service, cond.service],
    [incident.impact, cond.impact],
    [facts.target, cond.target],
    [facts.role, cond.role],
    [facts.audience, cond.audience],
  ];
  for (const [value, matcher] of simple) {
    if (matcher !== undefined && !matches(value, matcher)) return false;
  }
  if (cond.customerFacing !== undefined && incident.customer_facing !== cond.customerFacing) return false;
  if (
    cond.severityRaised !== undefined &&
    raised(input.plan, facts.severity_from, incident.severity) !== cond.severityRaised
  )
    return false;
  if (
    cond.businessHours !== undefined &&
    isBusinessHours(input.now, planBusinessHours(input.plan)) !== cond.businessHours
  ) {
    return false;
  }
  if (cond.openIncidents && !openIncidentsHold(input.plan, incident, cond.openIncidents)) return false;
  for (const [label, matcher] of Object.entries(cond.labels ?? {})) {
    if (!matches(incident.labels[label], matcher)) return false;
  }
  for (const [field, matcher] of Object.entries(cond.fields ?? {})) {
    if (!matches(fieldValue(incident, field), matcher)) return false;
  }
  return true;
}

function iso(d: Date): string {
  return d.toISOString();
}

function compact(facts: TriggerFacts): TriggerFacts {
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined)) as TriggerFacts;
}
