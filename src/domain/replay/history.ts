import type { Scenario, ScenarioStep } from '../drills/scenario.ts';
import { scenarioSchema } from '../drills/scenario.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import type { Incident } from '../incidents/incident.ts';

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

export interface HistoryUpdate {
  id: string;
  audience: 'internal' | 'external';
  bodies: Record<string, string>;
}

const HANDLE = /^[a-z0-9][a-z0-9._-]{0,59}$/;

/** The incident's history as a scenario starting at its declaration (wall-clock `at` for each step). */
export function historyScenario(
  incident: Incident,
  events: HistoryEvent[],
  updates: HistoryUpdate[],
): Scenario {
  const start = incident.declared_at;
  const bodies = new Map(updates.map((u) => [u.id, u]));
  const submitted = new Set<string>();
  const resolvedAt = new Set(
    events.filter((e) => e.kind === EVENT_KINDS.resolved).map((e) => e.at.getTime()),
  );
  const firstChange = (kind: string) => events.find((e) => e.kind === kind)?.data.from;
  const declaredSeverity = firstChange(EVENT_KINDS.severityChanged);
  const declaredType = events.find((e) => e.kind === EVENT_KINDS.typeChanged)
    ? firstChange(EVENT_KINDS.typeChanged)
    : incident.type;
  const steps: ScenarioStep[] = [{ at: '0', do: 'declare' }];
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
    severity: typeof declaredSeverity === 'string' ? declaredSeverity : incident.severity,
    ...(typeof declaredType === 'string' ? { type: declaredType } : {}),
    title: incident.title,
    start: start.toISOString(),
    ...(incident.service ? { service: incident.service } : {}),
    customerFacing: incident.customer_facing,
    labels: incident.labels,
    users: [...users],
    steps,
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
