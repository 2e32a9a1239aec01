import type { Executor, Row } from '../../db/schema.ts';
import { memoized, txMemo } from '../../db/tx-memo.ts';
import type { ContactKind } from '../../notify/message.ts';
import { notificationPlans } from '../contacts/notification-plan.ts';
import { heldUntil } from '../contacts/quiet-hours.ts';
import { SYSTEM_ACTOR } from '../context.ts';
import { inboxRowOf, type NewInboxItem } from '../inbox/add-to-inbox.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import * as incidents from '../incidents/queries.ts';
import { type OutboxMessage, outboxRowOf } from '../notifications/enqueue.ts';
import { publicTitle } from '../plans/placeholders.ts';
import type { Plan } from '../plans/plan.ts';
import { newAckHandles } from './ack-tokens.ts';
import { flushSteps } from './flush-steps.ts';
import { incidentUrlOf, type PageFacts, pageLayout, pageSms, pageSubject, pageText } from './page-content.ts';
import * as q from './queries.ts';
import { queueForAddresses, resolveRecipients } from './recipients.ts';

// One step of an escalation: find who its targets name now, queue each person's notification rules
// (restricted to the channels the plan allows for this page), then move the escalation on: the next
// step after this one's wait, the first step again for another round, or done. Every message has a
// dedup key of (escalation, round, step, person, rule), so running a step twice queues nothing twice.

/** Pages of one incident to one person within this window are one page. */
const SAME_PAGE_WINDOW_MS = 60_000;

export interface PagingIncident {
  id: string;
  title: string;
  /** A page leaves Tocsin (SMS, mail, chat): a confidential incident's pages give its code name. */
  confidential?: boolean;
  code_name?: string | null;
  severity: string;
  state: string;
  service: string | null;
  /** high | low (issue 11 §3.9); absent: high. */
  urgency?: string;
}

export interface StepContext {
  incident: PagingIncident | null;
  plan: Plan | null;
  now: Date;
  publicUrl: string;
}

export async function runEscalationStep(
  tx: Executor,
  esc: Row<'escalations'>,
  ctx: StepContext,
): Promise<number> {
  const step = esc.steps[esc.step];
  if (!step) {
    await q.advanceEscalation(tx, esc.id, {
      ...position(esc),
      next_at: null,
      status: 'exhausted',
      updated_at: ctx.now,
    });
    return 0;
  }
  const recipients = await resolveRecipients(tx, step.targets, {
    incidentId: ctx.incident?.id ?? null,
    service: ctx.incident?.service ?? null,
    plan: ctx.plan,
    now: ctx.now,
  });
  const key = `esc:${esc.id}:r${esc.round}:s${esc.step}`;
  const users = await activeUsers(tx, [...recipients.userIds]);
  // Two escalations of one incident reaching the same person at once (the severity's page and a
  // responder list, an L1 tier) make one page, not two: their phone rings once. An incident this
  // transaction declared, with no other escalation started by it, has no other page to look for.
  const memo = txMemo(tx);
  const elsewhere = ctx.incident !== null && !memo?.onlyEscalationOf(ctx.incident.id, esc.id);
  // Steps held back by this transaction's batch are written before their messages are looked for.
  if (elsewhere) await flushSteps(tx);
  const pagedElsewhere =
    ctx.incident && elsewhere
      ? await q.pagedByAnotherSince(
          tx,
          ctx.incident.id,
          users.map((u) => u.id),
          esc.id,
          new Date(ctx.now.getTime() - SAME_PAGE_WINDOW_MS),
        )
      : new Set<string>();
  const alreadyPaged = users.filter((u) => pagedElsewhere.has(u.id)).map((u) => u.handle);
  const toPage = users.filter((u) => !pagedElsewhere.has(u.id));
  const facts = await pageFacts(tx, esc, ctx);
  // Everyone the step pages in a constant number of statements, whatever the group's size: their
  // rules in one query, their ack codes in one or two, and one statement writing their ack tokens,
  // inbox items and messages (in the order of the people, then of their rules, as one by one).
  const kinds = esc.channels as ContactKind[];
  const plans = await plansOf(
    tx,
    toPage.map((u) => u.id),
    kinds,
  );
  const reachable = toPage.filter((u) => (plans.get(u.id) ?? []).length > 0);
  const acks = await newAckHandles(
    tx,
    {
      escalationId: esc.id,
      incidentId: ctx.incident?.id ?? null,
      now: ctx.now,
      publicUrl: ctx.publicUrl,
      firstStep: esc.step === 0 && esc.round === 0,
    },
    reachable.map((u) => u.id),
  );
  const inbox: NewInboxItem[] = [];
  const messages: OutboxMessage[] = [];
  const paged: string[] = [];
  const unreachable: string[] = [];
  // A low-urgency incident's page is a notification that may wait: it waits out quiet hours.
  const lowUrgency = ctx.incident?.urgency === 'low';
  for (const user of toPage) {
    const others = toPage.filter((u) => u.id !== user.id).map((u) => u.handle);
    const start = (lowUrgency ? await heldUntil(tx, user.id, ctx.now) : null) ?? ctx.now;
    const contacts = plans.get(user.id) ?? [];
    const page = { ...facts, others, ack: acks.handles.get(user.id) };
    // Every page also lands in the person's inbox: seen in Tocsin even with no provider configured.
    inbox.push({
      userId: user.id,
      incidentId: ctx.incident?.id ?? null,
      escalationId: esc.id,
      dedupKey: key,
      title: pageSubject(page),
      body: pageText(page),
      url: page.incidentUrl ?? null,
      now: ctx.now,
    });
    if (contacts.length === 0) {
      unreachable.push(user.handle);
      continue;
    }
    const payload = pagePayload(esc, ctx, page);
    for (const [i, c] of contacts.entries()) {
      messages.push({
        incidentId: ctx.incident?.id ?? null,
        channel: c.kind,
        destination: c.address,
        dedupKey: `${key}:u${user.id}:${i}`,
        userId: user.id,
        escalationId: esc.id,
        contactMethodId: c.contactMethodId,
        notBefore: new Date(start.getTime() + c.delaySeconds * 1000),
        payload,
      });
    }
    paged.push(user.handle);
  }
  const shadowed = await shadowPages(tx, esc, ctx, facts, key, recipients.userIds, { inbox, messages });
  const rows = {
    ackTokens: acks.rows,
    inbox: inbox.map(inboxRowOf),
    outbox: messages.map((m) => outboxRowOf(m, ctx.now)),
  };
  // In a batch of workflow firings, the step's rows and its move wait for the batch's two statements
  // (flush-steps.ts) instead of two of their own.
  const defer = memo?.deferSteps === true;
  if (defer) {
    memo.pending.ackTokens.push(...rows.ackTokens);
    memo.pending.inbox.push(...rows.inbox);
    memo.pending.outbox.push(...rows.outbox);
  }
  let queued = defer ? rows.outbox.length : await q.insertStepRows(tx, rows);
  queued += await queueForAddresses(tx, recipients, {
    incidentId: ctx.incident?.id ?? null,
    escalationId: esc.id,
    keyPrefix: key,
    payload: { ...pagePayload(esc, ctx, { ...facts, others: [], ack: undefined }), kind: 'notify' },
    now: ctx.now,
  });
  // A target that names nobody is kept for /health/detailed too, not only on the timeline.
  await q.insertUnrouted(
    tx,
    recipients.empty.map((recipient) => ({
      at: ctx.now,
      incident_id: ctx.incident?.id ?? null,
      recipient,
      what: `page, step ${esc.step + 1} (${esc.source})`,
    })),
  );
  // The step's timeline event is written by the statement that moves the escalation on.
  const event = ctx.incident
    ? incidents.eventRowOf({
        incidentId: ctx.incident.id,
        kind: EVENT_KINDS.pageSent,
        at: ctx.now,
        actor: SYSTEM_ACTOR,
        data: {
          escalation: esc.id,
          source: esc.source,
          kind: esc.kind,
          step: esc.step + 1,
          round: esc.round + 1,
          users: paged,
          ...(recipients.emails.size + recipients.chats.size > 0
            ? { also: [...recipients.emails, ...recipients.chats] }
            : {}),
          ...(unreachable.length > 0 ? { unreachable } : {}),
          ...(shadowed.length > 0 ? { shadows: shadowed } : {}),
          ...(alreadyPaged.length > 0 ? { already_paged: alreadyPaged } : {}),
          ...(recipients.empty.length > 0 ? { empty: recipients.empty } : {}),
        },
      })
    : undefined;
  const move = { ...nextPosition(esc, ctx.now), updated_at: ctx.now };
  if (defer) memo.pending.advances.push({ id: esc.id, set: move, event });
  else await q.advanceEscalation(tx, esc.id, move, event);
  return queued;
}

/**
 * The step's shadow recipients (training): each gets every page of the step through their own rules,
 * marked shadow, with no ack link or reply code; a row per shadow page lets an acknowledgement by them
 * be refused. Someone the step pages anyway is paged, not shadowed. Returns the handles shadowed.
 */
async function shadowPages(
  tx: Executor,
  esc: Row<'escalations'>,
  ctx: StepContext,
  facts: Omit<PageFacts, 'others' | 'ack'>,
  key: string,
  paged: Set<string>,
  out: { inbox: NewInboxItem[]; messages: OutboxMessage[] },
): Promise<string[]> {
  const targets = esc.steps[esc.step]?.shadows ?? [];
  if (targets.length === 0) return [];
  const found = await resolveRecipients(tx, targets, {
    incidentId: ctx.incident?.id ?? null,
    service: ctx.incident?.service ?? null,
    plan: ctx.plan,
    now: ctx.now,
  });
  const shadows = (await activeUsers(tx, [...found.userIds])).filter((u) => !paged.has(u.id));
  if (shadows.length === 0) return [];
  const plans = await plansOf(
    tx,
    shadows.map((u) => u.id),
    esc.channels as ContactKind[],
  );
  for (const user of shadows) {
    const page: PageFacts = { ...facts, others: [], ack: undefined, shadow: true };
    out.inbox.push({
      userId: user.id,
      incidentId: ctx.incident?.id ?? null,
      escalationId: esc.id,
      dedupKey: `${key}:shadow`,
      title: pageSubject(page),
      body: pageText(page),
      url: page.incidentUrl ?? null,
      now: ctx.now,
    });
    const payload = pagePayload(esc, ctx, page);
    for (const [i, c] of (plans.get(user.id) ?? []).entries()) {
      out.messages.push({
        incidentId: ctx.incident?.id ?? null,
        channel: c.kind,
        destination: c.address,
        dedupKey: `${key}:shadow:u${user.id}:${i}`,
        userId: user.id,
        escalationId: esc.id,
        contactMethodId: c.contactMethodId,
        notBefore: new Date(ctx.now.getTime() + c.delaySeconds * 1000),
        payload,
      });
    }
  }
  await q.insertShadows(
    tx,
    shadows.map((u) => ({
      escalation_id: esc.id,
      incident_id: ctx.incident?.id ?? null,
      user_id: u.id,
      step: esc.step,
      round: esc.round,
      at: ctx.now,
    })),
  );
  return shadows.map((u) => u.handle);
}

// People and their notification rules do not change under an engine tick: the incidents a tick pages
// read them once (db/tx-memo.ts).
const activeUsers = (tx: Executor, ids: string[]) =>
  memoized(tx, `users:${ids.join(',')}`, () => q.usersByIds(tx, ids));
const plansOf = (tx: Executor, ids: string[], kinds: ContactKind[]) =>
  memoized(tx, `plans:${kinds.join(',')}:${ids.join(',')}`, () =>
    notificationPlans(tx, ids, kinds.length > 0 ? kinds : undefined),
  );

/** The memo key of an incident's first alert (pageFacts), so a tick may read several at once. */
export const firstAlertKey = (incidentId: string) => `firstAlert:${incidentId}`;

function position(esc: Row<'escalations'>) {
  return { step: esc.step, round: esc.round };
}

/**
 * After notifying the current step: the next step, the first step of another round, or — after the
 * last — a wait for an answer to it (still active, so an acknowledgement in that time counts), at the
 * end of which the escalation is exhausted.
 */
export function nextPosition(
  esc: Pick<Row<'escalations'>, 'steps' | 'step' | 'round' | 'repeat'>,
  now: Date,
) {
  const wait = (esc.steps[esc.step]?.escalateAfterSeconds ?? 0) * 1000;
  const at = new Date(now.getTime() + wait);
  if (esc.step + 1 < esc.steps.length) {
    return { step: esc.step + 1, round: esc.round, next_at: at, status: 'active' as const };
  }
  if (esc.round < esc.repeat)
    return { step: 0, round: esc.round + 1, next_at: at, status: 'active' as const };
  return { step: esc.steps.length, round: esc.round, next_at: at, status: 'active' as const };
}

/** What every page of this step says, before the per-person parts (others paged, ack handle). */
async function pageFacts(
  tx: Executor,
  esc: Row<'escalations'>,
  ctx: StepContext,
): Promise<Omit<PageFacts, 'others' | 'ack'>> {
  const inc = ctx.incident;
  const alert = inc ? await memoized(tx, firstAlertKey(inc.id), () => q.firstAlertOf(tx, inc.id)) : undefined;
  return {
    incident: inc ? { ...inc, title: publicTitle(inc) } : null,
    alert: alert
      ? {
          source: alert.source,
          summary: alert.summary,
          details: (alert.details && typeof alert.details === 'object' ? alert.details : {}) as Record<
            string,
            unknown
          >,
        }
      : undefined,
    message: esc.message,
    policy: null,
    step: esc.step + 1,
    steps: esc.steps.length,
    round: esc.round + 1,
    rounds: esc.repeat + 1,
    incidentUrl: inc ? incidentUrlOf(ctx.publicUrl, inc.id) : undefined,
  };
}

function pagePayload(esc: Row<'escalations'>, ctx: StepContext, page: PageFacts) {
  const inc = ctx.incident;
  return {
    kind: 'page',
    text: pageText(page),
    subject: pageSubject(page),
    short: pageSms(page),
    page: pageLayout(page),
    ...(inc
      ? {
          incident: {
            id: inc.id,
            title: publicTitle(inc),
            severity: inc.severity,
            state: inc.state,
            ...(page.incidentUrl ? { url: page.incidentUrl } : {}),
          },
        }
      : {}),
    ...(page.ack ? { ack: page.ack } : {}),
    ...(page.shadow ? { shadow: true } : {}),
    escalation: { id: esc.id, source: esc.source, step: esc.step + 1, round: esc.round + 1 },
  };
}
