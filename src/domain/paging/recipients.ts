import type { EscalationStep, Executor } from '../../db/schema.ts';
import { memoized } from '../../db/tx-memo.ts';
import { affectedUserEmails } from '../incidents/queries.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import type { Plan } from '../plans/plan.ts';
import { onCallUserIds } from '../schedules/on-call.ts';
import * as q from './queries.ts';

// Who a step's targets name at this moment: people (user ids), plus addresses and chat channels for
// the plan groups that are a mailing list or a channel. Schedules are read at the step's time, so a
// handoff between two steps pages the new on-call person.

export type Target = EscalationStep['targets'][number];

export interface Recipients {
  userIds: Set<string>;
  emails: Set<string>;
  chats: Set<string>;
  /** Targets that named nobody (shown on the timeline: a page that reaches no one must be visible). */
  empty: string[];
}

export interface RecipientContext {
  incidentId: string | null;
  service: string | null;
  plan: Plan | null;
  now: Date;
}

export function describeTarget(t: Target): string {
  return `${t.type}:${t.name}`;
}

export async function resolveRecipients(
  db: Executor,
  targets: readonly Target[],
  ctx: RecipientContext,
): Promise<Recipients> {
  const out: Recipients = { userIds: new Set(), emails: new Set(), chats: new Set(), empty: [] };
  for (const target of targets) {
    const before = out.userIds.size + out.emails.size + out.chats.size;
    await addTarget(db, target, ctx, out);
    if (out.userIds.size + out.emails.size + out.chats.size === before)
      out.empty.push(describeTarget(target));
  }
  return out;
}

async function addTarget(db: Executor, t: Target, ctx: RecipientContext, out: Recipients) {
  switch (t.type) {
    case 'user':
      for (const u of await usersByHandles(db, [t.name])) out.userIds.add(u.id);
      return;
    case 'schedule':
      for (const id of await onCall(db, t.name, ctx.now)) out.userIds.add(id);
      return;
    case 'team':
      for (const m of await teamMembers(db, [t.name])) out.userIds.add(m.user_id);
      return;
    case 'email':
      out.emails.add(t.name);
      return;
    case 'chat':
      out.chats.add(t.name);
      return;
    case 'role':
    case 'group':
      return addPlanWho(db, t.name, ctx, out);
  }
}

// People, teams and schedules do not change under an engine tick: one read each per tick (db/tx-memo.ts).
const usersByHandles = (db: Executor, handles: string[]) =>
  memoized(db, `handles:${JSON.stringify(handles)}`, () => q.usersByHandles(db, handles));
const teamMembers = (db: Executor, teams: string[]) =>
  memoized(db, `teams:${JSON.stringify(teams)}`, () => q.teamMemberIds(db, teams));
const onCall = (db: Executor, schedule: string, now: Date) =>
  memoized(db, `oncall:${schedule}:${now.getTime()}`, () => onCallUserIds(db, schedule, now));

/** A plan's group or role id: everything the group lists, or whoever holds the role. */
async function addPlanWho(db: Executor, id: string, ctx: RecipientContext, out: Recipients) {
  const group = ctx.plan?.groups.find((g) => g.id === id);
  if (!group) {
    if (ctx.incidentId) {
      const holder = await q.roleHolderId(db, ctx.incidentId, id);
      if (holder) out.userIds.add(holder.user_id);
    }
    return;
  }
  for (const u of await usersByHandles(db, group.users)) out.userIds.add(u.id);
  for (const m of await teamMembers(db, group.teams)) out.userIds.add(m.user_id);
  if (group.schedule) for (const uid of await onCall(db, group.schedule, ctx.now)) out.userIds.add(uid);
  if (group.leadership)
    for (const u of await memoized(db, 'leadership', () => q.leadershipIds(db))) out.userIds.add(u.id);
  if (group.serviceOwner && ctx.service) {
    const name = ctx.service;
    const service = await memoized(db, `service:${name}`, () => q.serviceOf(db, name));
    if (service?.team) for (const m of await teamMembers(db, [service.team])) out.userIds.add(m.user_id);
  }
  if (group.incidentResponders && ctx.incidentId) {
    for (const r of await q.responderUserIds(db, ctx.incidentId)) if (r.user_id) out.userIds.add(r.user_id);
  }
  // The customers recorded as affected, by email; `customers: all` is the status page's public (its
  // subscribers get every published external update), not a list to email from here.
  if (group.customers === 'affected' && ctx.incidentId) {
    for (const email of await affectedUserEmails(db, ctx.incidentId)) out.emails.add(email);
  }
  if (group.email) out.emails.add(group.email);
  if (group.chat?.startsWith('#')) out.chats.add(group.chat);
}

/**
 * Queues the message for the mailing lists and chat channels among the recipients (the people are
 * queued by their own rules); returns how many were new. Dedup keys: `<keyPrefix>:<channel>:<address>`.
 */
export async function queueForAddresses(
  tx: Executor,
  recipients: Recipients,
  m: {
    incidentId: string | null;
    escalationId?: string | undefined;
    keyPrefix: string;
    payload: Record<string, unknown>;
    now: Date;
  },
): Promise<number> {
  let n = 0;
  for (const [channel, list] of [
    ['email', recipients.emails],
    ['chat', recipients.chats],
  ] as const) {
    for (const address of list) {
      const id = await enqueueNotification(
        tx,
        {
          incidentId: m.incidentId,
          channel,
          destination: address,
          dedupKey: `${m.keyPrefix}:${channel}:${address}`,
          escalationId: m.escalationId,
          payload: m.payload,
        },
        m.now,
      );
      if (id) n++;
    }
  }
  return n;
}
