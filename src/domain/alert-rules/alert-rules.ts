import { parseDuration } from '../../lib/duration.ts';
import type { Actor } from '../context.ts';
import { type DeclareIncidentInput, declareIncidentSchema, type Urgency } from '../incidents/inputs.ts';
import { type AlertFacts, factOf } from '../maintenance/maintenance.ts';
import type { Plan } from '../plans/plan.ts';
import {
  ALERT_SEVERITIES,
  type AlertSeverity,
  type ServiceRules,
  serviceRulesSchema,
} from '../services/services.ts';

// The rules that decide, once per alert, what it does: suppressed, recorded, self-healed, grouped
// into an open incident or declaring one. Pure functions; route-alerts.ts applies them in the
// engine's transaction.

/** Who the rules module acts as: it declares incidents and writes timelines under this name. */
export const ALERT_RULES_ACTOR: Actor = {
  kind: 'system',
  userId: null,
  name: 'alert-rules',
  role: 'admin',
  leadership: false,
};

/** What `alerts.routing` says once the module decided. */
export const ROUTING = {
  suppressed: (suppressionId: string) => `suppressed:${suppressionId}`,
  recorded: 'recorded',
  selfHealed: 'self-healed',
  grouped: (incidentId: string) => `grouped:${incidentId}`,
  declared: (incidentId: string) => `declared:${incidentId}`,
  /** A recurrence within the plan's lifecycle.reopenWithin reopened the incident it had fed. */
  reopened: (incidentId: string) => `reopened:${incidentId}`,
  noPlan: 'no-plan',
  /** The rules could not be applied to this alert (the reason is in its events); never retried. */
  failed: 'failed',
} as const;

/** The timeline note appended when every alert of an incident is resolved. */
export const ALL_ALERTS_RESOLVED = 'all alerts resolved';

const RANK: Record<AlertSeverity, number> = { critical: 0, error: 1, warning: 2, info: 3 };
const rankOf = (severity: string): number => RANK[severity as AlertSeverity] ?? RANK.error;

/** True when the alert is less severe than the service's `declare` threshold. */
export function belowThreshold(severity: string, declare: AlertSeverity): boolean {
  return rankOf(severity) > RANK[declare];
}

const DEFAULT_RULES = serviceRulesSchema.parse({});

/** A service's stored rules; rules stored by an older or newer schema fall back to the defaults. */
export function rulesOf(stored: unknown): { rules: ServiceRules; problem?: string } {
  const parsed = serviceRulesSchema.safeParse(stored ?? {});
  if (parsed.success) return { rules: parsed.data };
  const problem = parsed.error.issues.map((i) => `rules.${i.path.join('.')}: ${i.message}`).join('; ');
  return { rules: DEFAULT_RULES, problem };
}

/**
 * The self-healing grace in ms, or 0: the service's `grace`, else the plan's automated recovery
 * `waitFor` (the seed plan that runs automated recovery before paging says how long it gets).
 */
export function graceMs(rules: ServiceRules, plan: Plan | undefined): number {
  if (rules.grace) return parseDuration(rules.grace);
  const recovery = plan?.automatedRecovery;
  return recovery?.enabled && recovery.waitFor ? parseDuration(recovery.waitFor) : 0;
}

export interface SeverityChoice {
  severity: string;
  /** label, map or default: which rule chose it. */
  by: 'label' | 'map' | 'default';
  /** Rules that named a severity the plan does not have (skipped). */
  notes: string[];
}

/**
 * The plan severity an alert declares at: the `severityLabel` label naming it directly, else the
 * `severity` map, else critical → the plan's first severity, error → second, warning → third and
 * info → its last (fewer severities: the last one).
 */
export function planSeverityFor(
  alert: Pick<AlertFacts, 'labels' | 'severity'>,
  rules: ServiceRules,
  plan: Plan,
): SeverityChoice {
  const ids = plan.severities.map((s) => s.id);
  const notes: string[] = [];
  if (rules.severityLabel) {
    const named = alert.labels[rules.severityLabel];
    if (named !== undefined && ids.includes(named)) return { severity: named, by: 'label', notes };
    if (named !== undefined)
      notes.push(`label ${rules.severityLabel}="${named}" is not a severity of the plan`);
  }
  const mapped = rules.severity?.[alert.severity as AlertSeverity];
  if (mapped !== undefined && ids.includes(mapped)) return { severity: mapped, by: 'map', notes };
  if (mapped !== undefined)
    notes.push(`rules.severity.${alert.severity}="${mapped}" is not a severity of the plan`);
  const rank = rankOf(alert.severity);
  const index = rank === ALERT_SEVERITIES.length - 1 ? ids.length - 1 : Math.min(rank, ids.length - 1);
  return { severity: ids[index] ?? ids[0] ?? '', by: 'default', notes };
}

/**
 * The plan incident type an alert declares with: the `typeLabel` label naming one, else the service's
 * `type`, else none. A name the plan does not define is skipped with a note (the alert still declares).
 */
export function planTypeFor(
  alert: Pick<AlertFacts, 'labels'>,
  rules: ServiceRules,
  plan: Plan,
): { type: string | undefined; notes: string[] } {
  const ids = new Set(plan.types.map((t) => t.id));
  const notes: string[] = [];
  const named = rules.typeLabel ? alert.labels[rules.typeLabel] : undefined;
  if (named !== undefined && ids.has(named)) return { type: named, notes };
  if (named !== undefined)
    notes.push(`label ${rules.typeLabel}="${named}" is not an incident type of the plan`);
  if (rules.type !== undefined && ids.has(rules.type)) return { type: rules.type, notes };
  if (rules.type !== undefined) notes.push(`rules.type "${rules.type}" is not an incident type of the plan`);
  return { type: undefined, notes };
}

/**
 * The urgency an alert declares with: the `urgencyFrom` label's value listed as low or high, else the
 * service's `urgency` (default high). A value in neither list falls back to `urgency` with a note.
 */
export function urgencyFor(
  alert: Pick<AlertFacts, 'labels'>,
  rules: ServiceRules,
): { urgency: Urgency; by: 'label' | 'rules'; notes: string[] } {
  const notes: string[] = [];
  const from = rules.urgencyFrom;
  const value = from ? alert.labels[from.label] : undefined;
  if (from && value !== undefined) {
    if (from.low.includes(value)) return { urgency: 'low', by: 'label', notes };
    if (from.high.includes(value)) return { urgency: 'high', by: 'label', notes };
    notes.push(`label ${from.label}="${value}" is in neither urgencyFrom.low nor urgencyFrom.high`);
  }
  return { urgency: rules.urgency, by: 'rules', notes };
}

/** Cuts text to a number of code points, never through a surrogate pair. */
function clip(text: string, max: number): string {
  const points = Array.from(text);
  return points.length > max ? points.slice(0, max).join('') : text;
}

const labelsSchema = declareIncidentSchema.shape.labels;
const correlationSchema = declareIncidentSchema.shape.correlation_id;
const MAX_INCIDENT_LABELS = 50;
const MAX_LABEL_VALUE = 500;

/** The alert's labels an incident can carry (its label rules); the others are named in notes. */
function incidentLabels(labels: Record<string, string>, notes: string[]): Record<string, string> {
  const kept: Record<string, string> = {};
  const dropped: string[] = [];
  for (const key of Object.keys(labels).sort()) {
    const value = clip(String(labels[key]), MAX_LABEL_VALUE);
    const fits =
      Object.keys(kept).length < MAX_INCIDENT_LABELS && labelsSchema.safeParse({ [key]: value }).success;
    if (fits) kept[key] = value;
    else dropped.push(key);
  }
  if (dropped.length > 0) notes.push(`labels not copied to the incident: ${dropped.join(', ')}`);
  return kept;
}

export interface DeclaringAlert extends AlertFacts {
  id: string;
  started_at: Date | null;
  first_seen_at: Date;
}

/**
 * What declareIncident gets for an alert: its summary as title, its service and labels, the
 * correlation id from `rules.correlationLabel` when that label holds a valid one, and as
 * detected_at the time the source says the problem started (MTTD counts from it), else when
 * Tocsin first saw it — never later than now.
 */
export function declareInputFor(
  alert: DeclaringAlert,
  rules: ServiceRules,
  plan: { name: string; severity: string },
  now: Date,
): { input: DeclareIncidentInput; notes: string[] } {
  const notes: string[] = [];
  const title = clip(alert.summary.trim() || alert.dedup_key, 200).trim() || `Alert ${alert.id}`;
  const detected = alert.started_at ?? alert.first_seen_at;
  const input: DeclareIncidentInput = {
    title,
    plan: plan.name,
    severity: plan.severity,
    service: alert.service,
    labels: incidentLabels(alert.labels, notes),
    detected_at: (detected < now ? detected : now).toISOString(),
  };
  const correlation = alert.labels[rules.correlationLabel];
  if (correlation !== undefined) {
    if (correlationSchema.safeParse(correlation).success) input.correlation_id = correlation;
    else notes.push(`label ${rules.correlationLabel} is not a valid correlation id; a new one was made`);
  }
  return { input, notes };
}

/** An open incident an alert may join, with the alert that declared it (none if declared by hand). */
export interface Candidate {
  id: string;
  declared_at: Date;
  trigger: AlertFacts | null;
}

/**
 * Whether an open incident of the alert's service absorbs it: declared no longer than `groupWindow`
 * before the alert arrived, and/or (with `groupBy`) declared by an alert with the same values of
 * those labels. With neither rule every alert opens its own incident, as in PagerDuty.
 */
export function absorbs(
  candidate: Candidate,
  alert: AlertFacts & { first_seen_at: Date },
  rules: ServiceRules,
): boolean {
  if (!rules.groupWindow && rules.groupBy.length === 0) return false;
  if (rules.groupWindow) {
    const earliest = alert.first_seen_at.getTime() - parseDuration(rules.groupWindow);
    if (candidate.declared_at.getTime() < earliest) return false;
  }
  if (rules.groupBy.length > 0) {
    const trigger = candidate.trigger;
    if (!trigger) return false;
    return rules.groupBy.every((name) => factOf(trigger, name) === factOf(alert, name));
  }
  return true;
}
