import type { Row } from '../../db/schema.ts';
import { type IncidentChatChannel, incidentChatChannel } from '../chat/incident-chat-channel.ts';
import type { Actor, Operation } from '../context.ts';
import { lifecycleOf, type Plan } from '../plans/plan.ts';
import { runbookLinks } from '../runbooks/runbooks.ts';
import { readVisibleIncident } from './change.ts';
import { type Incident, renderLinks } from './incident.ts';
import { visibleRelated } from './link-incidents.ts';
import * as incidents from './queries.ts';
import { mayEnterState } from './state-permission.ts';
import { computeTargets, type TargetClock } from './targets.ts';

export interface ChecklistView {
  name: string;
  items: Row<'checklist_items'>[];
}

export interface IncidentDetail {
  incident: Incident;
  links: Record<string, string>;
  targets: TargetClock[];
  roles: Awaited<ReturnType<typeof incidents.listRoles>>;
  responders: Awaited<ReturnType<typeof incidents.listResponders>>;
  hypotheses: Row<'hypotheses'>[];
  checklists: ChecklistView[];
  updates: Row<'incident_updates'>[];
  tasks: Row<'action_items'>[];
  timeline: Awaited<ReturnType<typeof incidents.listEvents>>;
  /**
   * The states the caller may move the incident to from the current one: the plan's transitions, and
   * for states with `by`, only when the caller is among those it names (what a client may offer).
   */
  allowed_states: string[];
  /** Incidents linked to this one (either side), oldest link first. */
  related: Awaited<ReturnType<typeof visibleRelated>>;
  /** The incident's Slack channel when its plan opens one (channel.platform slack), else null. */
  chat_channel: IncidentChatChannel | null;
}

/** Items grouped by checklist, in the order the rows come (checklist, position). */
function groupChecklists(items: Row<'checklist_items'>[]): ChecklistView[] {
  const groups = new Map<string, Row<'checklist_items'>[]>();
  for (const item of items) {
    const list = groups.get(item.checklist) ?? [];
    list.push(item);
    groups.set(item.checklist, list);
  }
  return [...groups].map(([name, list]) => ({ name, items: list }));
}

async function allowedStates(
  ctx: Operation<unknown>['ctx'],
  plan: Plan,
  incident: Incident,
  actor: Actor,
): Promise<string[]> {
  if (!ctx.can('incident:update')) return [];
  const lifecycle = lifecycleOf(plan);
  const now = ctx.clock.now();
  const allowed: string[] = [];
  for (const state of lifecycle.states) {
    if (!lifecycle.canTransition(incident.state, state)) continue;
    if (await mayEnterState(ctx.db, plan, incident, actor, state, now)) allowed.push(state);
  }
  return allowed;
}

/** One incident with everything about it, target clocks computed under its own plan version. */
export async function getIncident({
  ctx,
  input,
}: Operation<{ incidentId: string }>): Promise<IncidentDetail> {
  ctx.require('read');
  const { incident, plan } = await readVisibleIncident(ctx, input.incidentId);
  const id = incident.id;
  const [roles, responders, hypotheses, checklist, updates, tasks, timeline, chat, related] =
    await Promise.all([
      incidents.listRoles(ctx.db, id),
      incidents.listResponders(ctx.db, id),
      incidents.listHypotheses(ctx.db, id),
      incidents.listChecklistItems(ctx.db, id),
      incidents.listUpdates(ctx.db, id),
      incidents.listTasks(ctx.db, id),
      incidents.listEvents(ctx.db, id),
      incidentChatChannel(ctx.db, plan, id),
      visibleRelated(ctx.db, id, ctx.actor, ctx.clock.now()),
    ]);
  return {
    incident,
    links: { ...renderLinks(plan.links, incident), ...runbookLinks(plan, timeline) },
    targets: computeTargets(incident, plan, ctx.clock.now()),
    roles,
    responders,
    hypotheses,
    checklists: groupChecklists(checklist),
    updates,
    tasks,
    timeline,
    allowed_states: await allowedStates(ctx, plan, incident, ctx.actor),
    chat_channel: chat,
    related,
  };
}
