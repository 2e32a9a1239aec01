import type { Executor } from '../../db/schema.ts';
import { type RenderFacts, renderPlaceholders } from '../plans/placeholders.ts';
import type { Plan } from '../plans/plan.ts';
import { commanderRoleOf } from '../plans/plan.ts';
import type { TriggerFacts } from './evaluate.ts';
import * as q from './queries.ts';
import type { IncidentSnapshot } from './snapshot.ts';

// Workflow texts with {placeholders}, filled from the one placeholder table (plans/placeholders.ts).
// Nothing is escaped here (each delivery channel escapes for its own format later) and nothing
// throws: a name the table does not know stays visible as written.

export type Vars = RenderFacts;

export function render(template: string, facts: RenderFacts): string {
  return renderPlaceholders(template, facts, 'message');
}

export interface VarsExtra {
  trigger?: TriggerFacts & { workflow?: string };
  now?: Date;
  url?: string;
}

/**
 * What a workflow text sees without reading the database: the incident (by reference, so a setField
 * earlier in the same run shows in later texts), the plan, the trigger and the time.
 */
export function incidentVars(incident: IncidentSnapshot, plan: Plan, extra: VarsExtra = {}): Vars {
  return {
    plan,
    incident,
    ...(extra.now ? { now: extra.now } : {}),
    ...(extra.url ? { url: extra.url } : {}),
    ...(extra.trigger ? { trigger: extra.trigger } : {}),
  };
}

/** incidentVars plus what lives in other tables: the commander, who acknowledged, root cause, … */
export async function loadVars(
  tx: Executor,
  incident: IncidentSnapshot,
  plan: Plan,
  extra: VarsExtra & { url: string },
): Promise<Vars> {
  const commander = commanderRoleOf(plan);
  const facts = await q.renderFactsOf(tx, incident.id, {
    commanderRole: commander,
    updateId: extra.trigger?.update_id,
  });
  return { ...incidentVars(incident, plan, extra), ...facts };
}

/** The text of one language of a template body, preferring the plan's languages in order. */
function pickLanguage(plan: Plan, texts: Record<string, unknown>): string | undefined {
  for (const lang of [...(plan.languages ?? []), 'en']) {
    const t = texts[lang];
    if (typeof t === 'string') return t;
  }
  return Object.values(texts).find((v): v is string => typeof v === 'string');
}

/**
 * A template of the plan by id (templates: [{id, body: {<language>: text}}]), in the plan's first
 * language, with its subject when it has one. Read defensively: older plan versions may have no
 * templates, or a map of name to text.
 */
export function planTemplateParts(plan: Plan, name: string): { body?: string; subject?: string } {
  const templates: unknown = (plan as { templates?: unknown }).templates;
  if (Array.isArray(templates)) {
    const t = templates.find((x) => (x as { id?: unknown })?.id === name) as
      | { body?: unknown; subject?: unknown }
      | undefined;
    const part = (v: unknown) =>
      v && typeof v === 'object' ? pickLanguage(plan, v as Record<string, unknown>) : undefined;
    const body = part(t?.body);
    const subject = part(t?.subject);
    return { ...(body !== undefined ? { body } : {}), ...(subject !== undefined ? { subject } : {}) };
  }
  if (!templates || typeof templates !== 'object') return {};
  const t = (templates as Record<string, unknown>)[name];
  if (typeof t === 'string') return { body: t };
  const body = t && typeof t === 'object' ? pickLanguage(plan, t as Record<string, unknown>) : undefined;
  return body !== undefined ? { body } : {};
}

export function planTemplate(plan: Plan, name: string): string | undefined {
  return planTemplateParts(plan, name).body;
}
