import { ROUTING } from '../alert-rules/alert-rules.ts';
import type { Scenario, ScenarioStep } from '../drills/scenario.ts';
import { scenarioSchema } from '../drills/scenario.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import type { Incident } from '../incidents/incident.ts';
import { ALERT_SEVERITIES } from '../services/services.ts';

// A past incident as a drill scenario: what people did (acknowledged, triaged, moved, wrote,
// approved, resolved), each at the moment it happened, so the drill machinery can run it again under
// another plan. What Tocsin did by itself (pages, automatic role fills, reminders, breaches) is left
// out: under the other plan the engine decides that afresh.

export interface HistoryEvent {
  at: Date;
  kind: string;
  data: Record<string, unknown>;
  /** The person who acted; null when Tocsin did (engine, workflows). */
  handle: string | null;
}

/** An alert that fed the incident, as ingest recorded it. */
export interface HistoryAlert {
  key: string;
  summary: string;
  severity: string;
  labels: Record<string, string>;
  service: string;
  /** What the alert rules decided ("declared:42" for the alert that declared incident 42). */
  routing: string | null;
  first_seen_at: Date;
  resolved_at: Date | null;
}

export interface HistoryUpdate {
  id: string;
  audience: 'internal' | 'external';
  bodies: Record<string, string>;
}

const HANDLE = /^[a-z0-9][a-z0-9._-]{0,59}$/;

/** Whether the incident began from an alert (the alert rules declared it) rather than by hand. */
export function alertBorn(incident: Incident, alerts: HistoryAlert[]): boolean {
  return alerts.some((a) => a.routing === ROUTING.declared(incident.id));
}

/** The severity the incident was declared at (before anyone changed it). */
export function declaredSeverity(incident: Incident, events: HistoryEvent[]): string {
  const from = events.find((e) => e.kind === EVENT_KINDS.severityChanged)?.data.from;
  return typeof from === 'string' ? from : incident.severity;
}

/**
 * The incident's history as a scenario (wall-clock `at` for each step). One declared by hand starts
 * with its declaration; one that began from alerts starts with its first alert, and its alerts are
 * raised (and resolved) when they were, so the changed plan's alert rules decide whether and at
 * which severity it is declared.
 */
export function historyScenario(
  incident: Incident,
  events: HistoryEvent[],
  updates: HistoryUpdate[],
  alerts: HistoryAlert[] = [],
): Scenario {
  const fromAlerts = alertBorn(incident, alerts);
  const firstSeen = Math.min(...alerts.map((a) => a.first_seen_at.getTime()));
  const start = fromAlerts
    ? new Date(Math.min(firstSeen, incident.declared_at.getTime()))
    : incident.declared_at;
  const bodies = new Map(updates.map((u) => [u.id, u]));
  const submitted = new Set<string>();
  const resolvedAt = new Set(
    events.filter((e) => e.kind === EVENT_KINDS.resolved).map((e) => e.at.getTime()),
  );
  const declaredType = events.find((e) => e.kind === EVENT_KINDS.typeChanged)?.data.from ?? incident.type;
  const steps: ScenarioStep[] = fromAlerts ? alertSteps(alerts, start) : [{ at: '0', do: 'declare' }];
  const users = new Set<string>();
  for (const e of events) {
    if (!e.handle || !HANDLE.test(e.handle)) continue;
    const step = stepOf(e, bodies, submitted, resolvedAt);
    if (!step) continue;
    users.add(e.handle);
    steps.push({ ...step, at: e.at.getTime() <= start.getTime() ? '0' : e.at.toISOString(), as: e.handle });
  }
  return scenarioSchema.parse({
    metadata: { name: `replay of incident #${incident.id}` },
    severity: declaredSeverity(incident, events),
    // An alert-born incident's type is the alert rules' to decide.
    ...(typeof declaredType === 'string' && !fromAlerts ? { type: declaredType } : {}),
    title: incident.title,
    start: start.toISOString(),
    ...(fromAlerts
      ? { service: alerts.find((a) => a.routing === ROUTING.declared(incident.id))?.service }
      : incident.service
        ? { service: incident.service }
        : {}),
    customerFacing: incident.customer_facing,
    labels: incident.labels,
    users: [...users],
    steps,
  });
}

/** Each alert raised when it was first seen and resolved when it was (if it was). */
function alertSteps(alerts: HistoryAlert[], start: Date): ScenarioStep[] {
  const at = (t: Date) => (t.getTime() <= start.getTime() ? '0' : t.toISOString());
  return alerts.flatMap((a): ScenarioStep[] => {
    const alert = { key: a.key, summary: a.summary, labels: a.labels };
    const severity = (ALERT_SEVERITIES as readonly string[]).includes(a.severity)
      ? (a.severity as (typeof ALERT_SEVERITIES)[number])
      : 'critical';
    return [
      { at: at(a.first_seen_at), do: 'alert', alert: { ...alert, action: 'trigger', severity } },
      ...(a.resolved_at
        ? [
            {
              at: at(a.resolved_at),
              do: 'alert' as const,
              alert: { ...alert, action: 'resolve' as const, severity },
            },
          ]
        : []),
    ];
  });
}

type Step = Omit<ScenarioStep, 'at'>;

/** The step a person's event stands for, or undefined for one a replay does not repeat. */
function stepOf(
  e: HistoryEvent,
  updates: Map<string, HistoryUpdate>,
  submitted: Set<string>,
  resolvedAt: Set<number>,
): Step | undefined {
  const d = e.data;
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  switch (e.kind) {
    case EVENT_KINDS.acknowledged:
      return { do: 'acknowledge' };
    case EVENT_KINDS.triaged:
      return { do: 'triage' };
    case EVENT_KINDS.severityChanged:
      return text(d.to) ? { do: 'severity', to: d.to as string, text: text(d.reason) } : undefined;
    case EVENT_KINDS.typeChanged:
      return { do: 'type', to: text(d.to) ?? 'none', text: text(d.reason) };
    case EVENT_KINDS.stateChanged:
      // Entering resolved is the resolve step (the resolved event at the same moment).
      return text(d.to) && !resolvedAt.has(e.at.getTime())
        ? { do: 'transition', to: d.to as string }
        : undefined;
    case EVENT_KINDS.resolved:
      return { do: 'resolve', text: text(d.resolution) };
    case EVENT_KINDS.roleAssigned:
      // Filled by Tocsin (first acknowledgement, a chain): under the other plan the engine decides.
      return d.auto === true || !text(d.role) || !text(d.user)
        ? undefined
        : { do: 'assign', role: d.role as string, user: d.user as string };
    case EVENT_KINDS.note:
      return { do: 'note', text: text(d.text) ?? 'note' };
    case EVENT_KINDS.hypothesisAdded:
      return { do: 'hypothesis', text: text(d.statement) };
    case EVENT_KINDS.mitigationUpdated:
      return d.mitigated === true
        ? { do: 'mitigate', text: Array.isArray(d.steps) ? text(d.steps[0]) : undefined }
        : undefined;
    case EVENT_KINDS.updateSubmitted:
    case EVENT_KINDS.updatePublished: {
      // Written once: an update that waited for approval is replayed when it was written.
      const id = String(d.update_id ?? '');
      const update = updates.get(id);
      if (!update || submitted.has(id)) return undefined;
      submitted.add(id);
      return { do: 'update', audience: update.audience, texts: update.bodies };
    }
    case EVENT_KINDS.updateApproved:
      return { do: 'approve', role: text(d.requirement), user: e.handle ?? undefined };
    default:
      return undefined;
  }
}
