import type { Plan } from '../plans/plan.ts';

// Runbooks (plan `runbooks`): the ones whose `attach` matches an incident (severity, service, labels)
// are attached to it — their triage and steps become a checklist named `runbook:<id>` that responders
// tick, their url a link on the incident. verification.runbook is attached on entering verification.

export type PlanRunbook = Plan['runbooks'][number];
type Step = PlanRunbook['steps'][number];

export const RUNBOOK_CHECKLIST_PREFIX = 'runbook:';

export function runbookChecklist(id: string): string {
  return `${RUNBOOK_CHECKLIST_PREFIX}${id}`;
}

/** The runbook ids a checklist name stands for (names of other checklists give undefined). */
export function runbookIdOf(checklist: string): string | undefined {
  return checklist.startsWith(RUNBOOK_CHECKLIST_PREFIX)
    ? checklist.slice(RUNBOOK_CHECKLIST_PREFIX.length)
    : undefined;
}

export interface IncidentFacts {
  severity: string;
  service: string | null;
  labels: Record<string, string>;
}

/** The facts `attach` matches on, from an incident row. */
export function runbookFacts(incident: {
  severity: string;
  service: string | null;
  labels: unknown;
}): IncidentFacts {
  const labels = (incident.labels ?? {}) as Record<string, unknown>;
  return {
    severity: incident.severity,
    service: incident.service,
    labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])),
  };
}

/** Whether a runbook's `attach` matches the incident: every criterion given, any of each list. */
export function attachesTo(runbook: PlanRunbook, incident: IncidentFacts): boolean {
  const a = runbook.attach;
  if (!a) return false;
  if (a.severities.length > 0 && !a.severities.includes(incident.severity)) return false;
  if (a.services.length > 0 && (incident.service === null || !a.services.includes(incident.service)))
    return false;
  return Object.entries(a.labels).every(([k, v]) => incident.labels[k] === v);
}

export function matchingRunbooks(plan: Plan, incident: IncidentFacts): PlanRunbook[] {
  return plan.runbooks.filter((r) => attachesTo(r, incident));
}

function stepText(step: Step, section: string): string {
  if (typeof step === 'string') return `${section}: ${step}`;
  const command = step.command ? ` — \`${step.command}\`` : '';
  const sub = step.steps?.length ? ` (${step.steps.join('; ')})` : '';
  return `${section}: ${step.title}${command}${sub}`;
}

/** The checklist items a runbook becomes, in order: what to check, then what to do. */
export function runbookItems(runbook: PlanRunbook): string[] {
  return [...runbook.triage.map((s) => stepText(s, 'Check')), ...runbook.steps.map((s) => stepText(s, 'Do'))];
}

/** Links to the attached runbooks that have a url, keyed `runbook:<id>` (the incident's links). */
export function runbookLinks(
  plan: Plan,
  timeline: { kind: string; data: Record<string, unknown> }[],
): Record<string, string> {
  const links: Record<string, string> = {};
  for (const e of timeline) {
    if (e.kind !== 'runbook.attached') continue;
    const runbook = plan.runbooks.find((r) => r.id === e.data.runbook);
    if (runbook?.url) links[runbookChecklist(runbook.id)] = runbook.url;
  }
  return links;
}
