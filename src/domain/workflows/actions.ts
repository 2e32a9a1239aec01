import type { Executor } from '../../db/schema.ts';
import { SYSTEM_ACTOR } from '../context.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import { pageFromPlan } from '../paging/page-from-plan.ts';
import { renderPlaceholders } from '../plans/placeholders.ts';
import type { Plan } from '../plans/plan.ts';
import { componentStatusSchema } from '../status-page/inputs.ts';
import { applyComponentStatus } from '../status-page/set-component-status.ts';
import { addPlanDuration, planBusinessHours } from './business-hours.ts';
import type { TriggerFacts } from './evaluate.ts';
import * as q from './queries.ts';
import { planTemplateParts, render, type Vars } from './render.ts';
import { type CheckRoleSpec, checkRole, type FillRoleSpec, fillRole } from './role-actions.ts';
import { type Audience, actionKind, type EscalateSpec, type Rule, type RuleAction } from './rules.ts';
import type { IncidentSnapshot } from './snapshot.ts';
import { splitWebhookUrl } from './webhook-url.ts';
import type { TargetName, WorkflowAction } from './workflow-schema.ts';

// The actions that exist now, one function per kind, all inside the engine module's transaction.
// Messages (notify, page, post, webhook, remind) are queued in the outbox; delivery comes later.

export interface ActionContext {
  tx: Executor;
  now: Date;
  plan: Plan;
  /** Updated in place by setField, so later actions and rules see the change. */
  incident: IncidentSnapshot;
  rule: Rule;
  runId: string;
  facts: TriggerFacts;
  /** Chain depth stamped on the events these actions produce (see evaluate.ts MAX_CHAIN_DEPTH). */
  chain: number;
  vars: Vars;
  index: number;
}

export type ActionResult = { action: string } & Record<string, unknown>;

/** Appends a timeline event marked as produced by this run (the evaluator's loop guard reads it). */
export function emit(ctx: ActionContext, kind: string, data: Record<string, unknown>): Promise<string> {
  return q.appendEvent(ctx.tx, {
    incidentId: ctx.incident.id,
    at: ctx.now,
    kind,
    actorName: 'workflow',
    data: { ...data, workflow: ctx.rule.name, workflow_run: ctx.runId, chain: ctx.chain },
  });
}

interface Delivery {
  channel: string;
  destination: string;
}

interface Message {
  text: string;
  /** An email template's subject (the email's subject line). */
  subject?: string;
  /** The unrendered texts: {recipient_name} differs per delivery. */
  raw?: { text: string; subject?: string | undefined };
}

/** Who {recipient_name} is for one delivery: the person's handle, else the group, list or channel. */
function recipientOf(d: Delivery): string {
  return d.destination.replace(/^(user|group|role|team|schedule):/, '');
}

/** Queues one message per delivery, then one notification.queued timeline event for them all. */
async function queue(
  ctx: ActionContext,
  action: string,
  deliveries: Delivery[],
  message: Message,
  template?: string,
  extra: Record<string, unknown> = {},
): Promise<ActionResult> {
  const queued: (Delivery & { outbox_id: string | undefined })[] = [];
  for (const [j, d] of deliveries.entries()) {
    const own = message.raw ? { ...ctx.vars, recipientName: recipientOf(d) } : ctx.vars;
    const text = message.raw ? render(message.raw.text, own) : message.text;
    const subject = message.raw?.subject !== undefined ? render(message.raw.subject, own) : message.subject;
    const outboxId = await enqueueNotification(
      ctx.tx,
      {
        incidentId: ctx.incident.id,
        channel: d.channel,
        destination: d.destination,
        template,
        dedupKey: `workflow_run:${ctx.runId}:${ctx.index}:${j}`,
        payload: {
          kind: action,
          text,
          ...(subject !== undefined ? { subject } : {}),
          workflow: ctx.rule.name,
          incident: {
            id: ctx.incident.id,
            title: ctx.incident.title,
            severity: ctx.incident.severity,
            state: ctx.incident.state,
            channel_name: ctx.incident.channel_name,
            ...(ctx.vars.url ? { url: ctx.vars.url } : {}),
          },
          ...extra,
        },
      },
      ctx.now,
    );
    queued.push({ ...d, outbox_id: outboxId });
  }
  await emit(ctx, EVENT_KINDS.notificationQueued, {
    action,
    text: message.text,
    ...(message.subject !== undefined ? { subject: message.subject } : {}),
    deliveries: queued,
  });
  return { action, deliveries: queued };
}

/** A message from the action's own text, else its template (body and subject), else a default line. */
function messageOf(ctx: ActionContext, message?: string, template?: string): Message {
  const t = template ? planTemplateParts(ctx.plan, template) : {};
  const raw =
    message !== undefined
      ? { text: message }
      : t.body !== undefined
        ? { text: t.body, subject: t.subject }
        : { text: `[{severity}] {title} ({state}) — ${ctx.rule.name}` };
  const rendered = {
    text: render(raw.text, ctx.vars),
    ...(raw.subject !== undefined ? { subject: render(raw.subject, ctx.vars) } : {}),
  };
  const perRecipient = /\{recipient_name\}/.test(`${raw.text}${raw.subject ?? ''}`);
  return perRecipient ? { ...rendered, raw } : rendered;
}

function messageText(ctx: ActionContext): string {
  return messageOf(ctx).text;
}

/** Whoever holds the role; with nobody in it, the incident's own channel (so someone sees it). */
async function roleDelivery(ctx: ActionContext, role: string): Promise<Delivery> {
  const holder = await q.roleHolder(ctx.tx, ctx.incident.id, role);
  return holder
    ? { channel: 'auto', destination: `user:${holder}` }
    : { channel: 'chat', destination: `#${ctx.incident.channel_name}` };
}

type Spec<K extends string> = Extract<RuleAction, Record<K, unknown>> extends Record<K, infer S> ? S : never;

async function notify(ctx: ActionContext, spec: Spec<'notify'>): Promise<ActionResult> {
  const via = spec.via && spec.via.length > 0 ? spec.via : ['auto'];
  const deliveries: Delivery[] = [];
  if (spec.channel) deliveries.push({ channel: 'chat', destination: render(spec.channel, ctx.vars) });
  if (spec.email) deliveries.push({ channel: 'email', destination: render(spec.email, ctx.vars) });
  for (const [prefix, value] of [
    ['group', spec.group],
    ['user', spec.user],
  ] as const) {
    if (value) for (const v of via) deliveries.push({ channel: v, destination: `${prefix}:${value}` });
  }
  if (spec.role) {
    const d = await roleDelivery(ctx, spec.role);
    if (d.destination.startsWith('user:')) for (const v of via) deliveries.push({ ...d, channel: v });
    else deliveries.push(d);
  }
  if (deliveries.length === 0) {
    deliveries.push({ channel: 'chat', destination: `#${ctx.incident.channel_name}` });
  }
  return queue(ctx, 'notify', deliveries, messageOf(ctx, spec.message, spec.template), spec.template);
}

function severityPageChannels(ctx: ActionContext): unknown {
  const severity = ctx.plan.severities.find((s) => s.id === ctx.incident.severity) as
    | { page?: { channels?: unknown } }
    | undefined;
  return severity?.page?.channels;
}

/** A workflow's page: one step paging the target (a plan policy id runs that policy). */
async function page(ctx: ActionContext, spec: Spec<'page'>): Promise<ActionResult> {
  const target = render(typeof spec === 'string' ? spec : spec.target, ctx.vars);
  const channels = (typeof spec === 'object' ? spec.channels : undefined) ?? severityPageChannels(ctx) ?? [];
  return escalate(ctx, {
    who: [target],
    channels: Array.isArray(channels) ? channels.map(String) : [],
    kind: typeof spec === 'object' && spec.untilResolved ? 'duration' : 'paging',
    source: `run:${ctx.runId}:${ctx.index}`,
  });
}

/** Starts an escalation for the incident (src/domain/paging): its first step is paged at once. */
async function escalate(ctx: ActionContext, spec: EscalateSpec): Promise<ActionResult> {
  const esc = await pageFromPlan(ctx.tx, {
    incident: ctx.incident,
    plan: ctx.plan,
    who: spec.who.map((w) => render(w, ctx.vars)),
    channels: spec.channels ?? [],
    kind: spec.kind,
    servicePolicy: spec.servicePolicy ?? false,
    source: spec.source,
    message: messageText(ctx),
    now: ctx.now,
  });
  return { action: 'page', who: spec.who, escalation: esc?.id ?? null, started: esc !== undefined };
}

async function post(ctx: ActionContext, spec: Spec<'post'>): Promise<ActionResult> {
  const destination = render(spec.channel, ctx.vars);
  return queue(
    ctx,
    'post',
    [{ channel: 'chat', destination }],
    messageOf(ctx, spec.message, spec.template),
    spec.template,
  );
}

/** The URL with each placeholder's value URL-encoded (webhook-url.ts); undefined when not allowed. */
function renderWebhookUrl(url: string, vars: Vars): string | undefined {
  const parts = splitWebhookUrl(url);
  if (!parts) return undefined;
  return parts.origin + renderPlaceholders(parts.rest, vars, 'link', encodeURIComponent);
}

async function webhook(ctx: ActionContext, spec: Spec<'webhook'>): Promise<ActionResult> {
  const url = renderWebhookUrl(spec.url, ctx.vars);
  // Plan validation refuses such a URL; a plan stored before that rule must not send either.
  if (url === undefined) throw new Error('webhook url: placeholders are allowed only in its path or query');
  return queue(
    ctx,
    'webhook',
    [{ channel: 'webhook', destination: url }],
    messageOf(ctx, undefined, spec.template),
    spec.template,
    { facts: ctx.facts },
  );
}

async function remind(ctx: ActionContext, spec: Spec<'remind'>): Promise<ActionResult> {
  const delivery = spec.role
    ? await roleDelivery(ctx, spec.role)
    : { channel: 'chat', destination: `#${ctx.incident.channel_name}` };
  return queue(ctx, 'remind', [delivery], messageOf(ctx, spec.message), undefined, {
    role: spec.role ?? null,
  });
}

/** Each target (plans/target-kinds.ts) joins as a responder and is paged, as a manual addition is. */
async function addResponders(ctx: ActionContext, spec: Spec<'addResponders'>): Promise<ActionResult> {
  const names = [...new Set(spec.map((r) => render(r, ctx.vars)))];
  const handles = names.map((n) => (n.startsWith('user:') ? n.slice('user:'.length) : n));
  const users = await q.userIdsByHandle(ctx.tx, handles);
  const added = await q.insertResponders(
    ctx.tx,
    names.map((responder, i) => ({
      incident_id: ctx.incident.id,
      responder,
      user_id: users.get(handles[i] as string) ?? null,
      reason: `workflow "${ctx.rule.name}"`,
      source: 'workflow',
      added_at: ctx.now,
    })),
  );
  const paged: string[] = [];
  for (const responder of added) {
    await emit(ctx, EVENT_KINDS.responderAdded, { responder, source: 'workflow' });
    const esc = await pageFromPlan(ctx.tx, {
      incident: ctx.incident,
      plan: ctx.plan,
      who: [responder],
      channels: [],
      kind: 'paging',
      servicePolicy: false,
      source: `responder:${responder}`,
      message: render(`[{severity}] {title}: you are asked to respond (${responder})`, ctx.vars),
      now: ctx.now,
    });
    if (esc) paged.push(responder);
  }
  return { action: 'addResponders', added, paged };
}

async function addChecklistItem(ctx: ActionContext, spec: Spec<'addChecklistItem'>): Promise<ActionResult> {
  const checklist = typeof spec === 'string' ? 'workflow' : spec.checklist;
  const text = render(typeof spec === 'string' ? spec : spec.text, ctx.vars);
  const id = await q.insertChecklistItem(ctx.tx, {
    incidentId: ctx.incident.id,
    checklist,
    text,
    source: 'workflow',
  });
  await emit(ctx, EVENT_KINDS.checklistItemAdded, { checklist, text, item_id: id });
  return { action: 'addChecklistItem', item_id: id };
}

/** Starts a checklist of the plan by name: its items, once per incident. */
async function startChecklist(ctx: ActionContext, name: Spec<'startChecklist'>): Promise<ActionResult> {
  const items = ctx.plan.checklists?.[name];
  if (!items) return { action: 'startChecklist', checklist: name, started: false, reason: 'not in the plan' };
  if (await q.hasChecklist(ctx.tx, ctx.incident.id, name)) {
    return { action: 'startChecklist', checklist: name, started: false, reason: 'already started' };
  }
  for (const text of items) {
    const id = await q.insertChecklistItem(ctx.tx, {
      incidentId: ctx.incident.id,
      checklist: name,
      text: render(text, ctx.vars),
      source: 'plan',
    });
    await emit(ctx, EVENT_KINDS.checklistItemAdded, { checklist: name, text, item_id: id });
  }
  return { action: 'startChecklist', checklist: name, started: true, items: items.length };
}

async function addActionItem(
  ctx: ActionContext,
  kind: 'task' | 'action_item',
  spec: Spec<'addTask'>,
): Promise<ActionResult> {
  const o = typeof spec === 'string' ? { title: spec } : spec;
  const title = render(o.title, ctx.vars);
  const owner = o.owner ? render(o.owner, ctx.vars) : null;
  const dueAt = o.due ? addPlanDuration(ctx.now, o.due, planBusinessHours(ctx.plan)) : null;
  const id = await q.insertActionItem(ctx.tx, {
    incident_id: ctx.incident.id,
    title,
    owner,
    due_at: dueAt,
    kind,
    source: 'workflow',
    created_at: ctx.now,
  });
  await emit(ctx, EVENT_KINDS.taskAdded, { kind, title, owner, due_at: dueAt, action_item_id: id });
  return { action: kind === 'task' ? 'addTask' : 'createActionItem', action_item_id: id };
}

function isSettableColumn(field: string): field is q.SettableColumn {
  return (q.SETTABLE_COLUMNS as readonly string[]).includes(field);
}

async function setField(ctx: ActionContext, spec: Spec<'setField'>): Promise<ActionResult> {
  const field = spec.field === 'customerFacing' ? 'customer_facing' : spec.field;
  const value = typeof spec.value === 'string' ? render(spec.value, ctx.vars) : spec.value;
  const { incident } = ctx;
  let from: unknown;
  let to: unknown = value;
  if (field.startsWith('labels.')) {
    const label = field.slice('labels.'.length);
    from = incident.labels[label];
    to = String(value);
    if (from === to) return { action: 'setField', field, changed: false };
    await q.setJsonKey(ctx.tx, incident.id, 'labels', label, to, ctx.now);
    incident.labels = { ...incident.labels, [label]: String(to) };
  } else if (isSettableColumn(field)) {
    from = incident[field];
    to = field === 'customer_facing' ? value === true || value === 'true' : String(value);
    if (from === to) return { action: 'setField', field, changed: false };
    await q.setColumn(ctx.tx, incident.id, field, to as string | boolean, ctx.now);
    Object.assign(incident, { [field]: to });
  } else {
    from = incident.fields[field];
    if (from === to) return { action: 'setField', field, changed: false };
    await q.setJsonKey(ctx.tx, incident.id, 'fields', field, to, ctx.now);
    incident.fields = { ...incident.fields, [field]: to };
  }
  await emit(ctx, EVENT_KINDS.fieldChanged, { field, from: from ?? null, to });
  return { action: 'setField', field, changed: true };
}

async function note(ctx: ActionContext, spec: Spec<'note'>): Promise<ActionResult> {
  const text = render(spec, ctx.vars);
  await emit(ctx, EVENT_KINDS.note, { text });
  return { action: 'note' };
}

// Sets the public status of a component, listing it on the incident (status-page/); an unknown
// component name is recorded, not an error, so a typo shows on the timeline instead of stopping the run.
async function setStatusPageComponent(
  ctx: ActionContext,
  spec: Spec<'setStatusPageComponent'>,
): Promise<ActionResult> {
  const component = render(spec.component, ctx.vars);
  const parsed = componentStatusSchema.safeParse(spec.status);
  const done = parsed.success
    ? await applyComponentStatus(ctx.tx, { ...SYSTEM_ACTOR, name: 'workflow' }, ctx.now, {
        name: component,
        status: parsed.data,
        incidentId: ctx.incident.id,
      })
    : undefined;
  const applied = done !== undefined;
  await emit(ctx, EVENT_KINDS.statusPageComponentRequested, {
    component,
    status: spec.status,
    applied,
    ...(applied
      ? {}
      : { reason: parsed.success ? `no status page component "${component}"` : 'unknown status' }),
  });
  return { action: 'setStatusPageComponent', component, status: spec.status, applied };
}

async function recordBreach(ctx: ActionContext, spec: { target: TargetName }): Promise<ActionResult> {
  const due = ctx.facts.due_at ?? ctx.now;
  const recorded = await q.insertBreach(ctx.tx, {
    incident_id: ctx.incident.id,
    target: spec.target,
    due_at: due,
    breached_at: ctx.now,
  });
  if (recorded) await emit(ctx, EVENT_KINDS.targetBreached, { target: spec.target, due_at: due });
  return { action: 'recordBreach', target: spec.target, recorded };
}

async function recordOverdue(ctx: ActionContext, spec: { audience: Audience }): Promise<ActionResult> {
  await emit(ctx, EVENT_KINDS.updateOverdue, {
    audience: spec.audience,
    due_at: ctx.facts.due_at ?? null,
    last_update_at: ctx.incident.last_update_at[spec.audience],
  });
  return { action: 'recordOverdue', audience: spec.audience, due_at: ctx.facts.due_at ?? null };
}

type Handler = (ctx: ActionContext, spec: never) => Promise<ActionResult>;

const roleHelpers = (ctx: ActionContext) => ({
  remind: (role: string | undefined, message: string) => remind(ctx, { ...(role ? { role } : {}), message }),
  page: (who: string[]) => escalate(ctx, { who, kind: 'paging', source: `run:${ctx.runId}:${ctx.index}` }),
});

const HANDLERS: Record<string, Handler> = {
  notify,
  page,
  post,
  webhook,
  remind,
  addResponders,
  addChecklistItem,
  startChecklist,
  addTask: (ctx, spec: Spec<'addTask'>) => addActionItem(ctx, 'task', spec),
  createActionItem: (ctx, spec: Spec<'createActionItem'>) => addActionItem(ctx, 'action_item', spec),
  setField,
  note,
  setStatusPageComponent,
  recordBreach,
  recordOverdue,
  escalate,
  fillRole: (ctx, spec: FillRoleSpec) => fillRole(ctx, (kind, data) => emit(ctx, kind, data), spec),
  checkRole: (ctx, spec: CheckRoleSpec) => checkRole(ctx, roleHelpers(ctx), spec),
} satisfies Record<
  | keyof UnionToKeys<WorkflowAction>
  | 'recordBreach'
  | 'recordOverdue'
  | 'escalate'
  | 'fillRole'
  | 'checkRole',
  Handler
>;

type UnionToKeys<T> = { [K in T extends unknown ? keyof T : never]: true };

export async function runAction(ctx: ActionContext, action: RuleAction): Promise<ActionResult> {
  const kind = actionKind(action);
  const handler = HANDLERS[kind];
  if (!handler) return { action: kind, skipped: 'unknown action' };
  return handler(ctx, (action as unknown as Record<string, never>)[kind] as never);
}
