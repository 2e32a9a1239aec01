import { type Plan, severityOf, statusPageStateOf } from '../plans/plan.ts';
import type { TriggerFacts } from './evaluate.ts';
import type { IncidentSnapshot } from './snapshot.ts';

// Message templates with {placeholders}. Nothing is escaped here (each delivery channel escapes for
// its own format later) and nothing throws: an unknown placeholder stays visible as written, so a
// typo in a plan shows up in the message instead of silently vanishing.

export type Vars = Record<string, unknown>;

const PLACEHOLDER = /\{([A-Za-z_][\w-]*(?:\.[\w-]+)*)\}/g;

function lookup(vars: Vars, path: string): unknown {
  if (Object.hasOwn(vars, path)) return vars[path];
  let current: unknown = vars;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function show(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function render(template: string, vars: Vars): string {
  return template.replace(PLACEHOLDER, (whole, path: string) => show(lookup(vars, path)) ?? whole);
}

/** The placeholders a workflow message can use: the incident's fields plus the trigger's facts. */
export function incidentVars(
  incident: IncidentSnapshot,
  plan: Plan,
  extra: TriggerFacts & { workflow?: string; now?: Date } = {},
): Vars {
  const severity = severityOf(plan, incident.severity);
  const state = plan.lifecycle.states.find((s) => s.id === incident.state);
  const now = extra.now;
  return {
    ...incident.fields,
    id: incident.id,
    title: incident.title,
    slug: incident.slug,
    summary: incident.summary,
    impact: incident.impact,
    service: incident.service ?? '',
    customer_facing: incident.customer_facing,
    severity: incident.severity,
    severity_title: severity?.title ?? incident.severity,
    state: incident.state,
    state_title: state?.title ?? incident.state,
    status: statusPageStateOf(plan, incident.state).toUpperCase(),
    services: incident.service ?? '',
    correlation_id: incident.correlation_id,
    channel_name: incident.channel_name,
    incident_channel: incident.channel_name,
    channel: incident.channel_name,
    date: incident.declared_at.toISOString().slice(0, 10),
    ...(now ? { time: `${now.toISOString().slice(11, 16)} UTC` } : {}),
    declared_at: incident.declared_at,
    started_at: incident.declared_at,
    acknowledged_at: incident.acknowledged_at,
    resolved_at: incident.resolved_at,
    plan: incident.plan_name,
    plan_version: incident.plan_version,
    labels: incident.labels,
    fields: incident.fields,
    ...extra,
  };
}

/** The text of one language of a template body, preferring the plan's languages in order. */
function pickLanguage(plan: Plan, texts: Record<string, string>): string | undefined {
  for (const lang of plan.languages) {
    const t = texts[lang];
    if (t !== undefined) return t;
  }
  return Object.values(texts)[0];
}

/** A template of the plan by id, in the plan's first language that it has. */
export function planTemplate(plan: Plan, name: string): string | undefined {
  const template = plan.templates.find((t) => t.id === name);
  return template ? pickLanguage(plan, template.body) : undefined;
}
