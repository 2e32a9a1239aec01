import type { Executor } from '../../db/schema.ts';
import { txMemo } from '../../db/tx-memo.ts';
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
  const opts = { commanderRole: commander, updateId: extra.trigger?.update_id, languages: plan.languages };
  const facts =
    txMemo(tx)?.take<q.RenderFacts>(factsKey(incident.id, opts)) ??
    (await q.renderFactsOf(tx, incident.id, opts));
  return { ...incidentVars(incident, plan, extra), ...facts };
}

const factsKey = (
  incidentId: string,
  opts: { commanderRole: string | undefined; updateId: string | undefined; languages: string[] },
) => `facts:${incidentId}:${opts.commanderRole ?? ''}:${opts.updateId ?? ''}:${opts.languages.join(',')}`;

/**
 * Reads the render facts of several incidents' first firings in one statement (a tick's declared
 * incidents, and those whose events fire a workflow; `updateId`: the update the first firing's trigger
 * names, if any): each is used once, by the next loadVars of its incident in this transaction — a later
 * firing of the same incident reads them again, after what the first one's actions changed.
 */
export async function prefetchVars(
  tx: Executor,
  incidents: { id: string; plan: Plan; updateId?: string | undefined }[],
): Promise<() => void> {
  const memo = txMemo(tx);
  const keys: string[] = [];
  // Returned: drops what no firing used, so nothing read now is used later in the transaction.
  const forget = () => {
    for (const key of keys) memo?.take(key);
  };
  if (!memo || incidents.length < 2) return forget;
  const groups = new Map<string, { opts: Parameters<typeof factsKey>[1]; ids: string[] }>();
  for (const { id, plan, updateId } of incidents) {
    const opts = { commanderRole: commanderRoleOf(plan), updateId, languages: plan.languages };
    const key = factsKey('', opts);
    const group = groups.get(key) ?? { opts, ids: [] };
    group.ids.push(id);
    groups.set(key, group);
  }
  for (const { opts, ids } of groups.values()) {
    const facts = await q.renderFactsOfMany(tx, ids, opts);
    for (const [id, f] of facts) {
      keys.push(factsKey(id, opts));
      memo.set(factsKey(id, opts), f);
    }
  }
  return forget;
}

/** The text of one language of a template body, preferring the plan's languages in order. */
function pickLanguage(plan: Plan, texts: Record<string, string>): string | undefined {
  for (const lang of plan.languages) {
    const t = texts[lang];
    if (t !== undefined) return t;
  }
  return Object.values(texts)[0];
}

/** A template of the plan by id, in the plan's first language that it has, with its subject if any. */
export function planTemplateParts(plan: Plan, name: string): { body?: string; subject?: string } {
  const template = plan.templates.find((t) => t.id === name);
  if (!template) return {};
  const body = pickLanguage(plan, template.body);
  const subject = template.subject ? pickLanguage(plan, template.subject) : undefined;
  return { ...(body !== undefined ? { body } : {}), ...(subject !== undefined ? { subject } : {}) };
}

export function planTemplate(plan: Plan, name: string): string | undefined {
  return planTemplateParts(plan, name).body;
}
