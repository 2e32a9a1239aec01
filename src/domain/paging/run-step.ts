import type { Executor, Row } from '../../db/schema.ts';
import type { ContactKind } from '../../notify/message.ts';
import { notificationPlan } from '../contacts/notification-plan.ts';
import { SYSTEM_ACTOR } from '../context.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import * as incidents from '../incidents/queries.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import type { Plan } from '../plans/plan.ts';
import { ackHandleFor } from './ack-tokens.ts';
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
  severity: string;
  state: string;
  service: string | null;
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
  const paged: string[] = [];
  const unreachable: string[] = [];
  let queued = 0;
  const users = await q.usersByIds(tx, [...recipients.userIds]);
  const alreadyPaged: string[] = [];
  for (const user of users) {
    // Two escalations of one incident reaching the same person at once (the severity's page and a
    // responder list, an L1 tier) make one page, not two: their phone rings once.
    if (
      ctx.incident &&
      (await q.pagedByAnotherSince(
        tx,
        ctx.incident.id,
        user.id,
        esc.id,
        new Date(ctx.now.getTime() - SAME_PAGE_WINDOW_MS),
      ))
    ) {
      alreadyPaged.push(user.handle);
      continue;
    }
    const kinds = esc.channels as ContactKind[];
    let contacts = await notificationPlan(tx, user.id, kinds.length > 0 ? kinds : undefined);
    // The plan asks for a channel this person has no verified method for: reach them anyhow.
    if (contacts.length === 0 && kinds.length > 0) contacts = await notificationPlan(tx, user.id);
    if (contacts.length === 0) {
      unreachable.push(user.handle);
      continue;
    }
    const ack = await ackHandleFor(tx, {
      escalationId: esc.id,
      incidentId: ctx.incident?.id ?? null,
      userId: user.id,
      now: ctx.now,
      publicUrl: ctx.publicUrl,
      firstStep: esc.step === 0 && esc.round === 0,
    });
    for (const [i, c] of contacts.entries()) {
      const id = await enqueueNotification(
        tx,
        {
          incidentId: ctx.incident?.id ?? null,
          channel: c.kind,
          destination: c.address,
          dedupKey: `${key}:u${user.id}:${i}`,
          userId: user.id,
          escalationId: esc.id,
          contactMethodId: c.contactMethodId,
          notBefore: new Date(ctx.now.getTime() + c.delaySeconds * 1000),
          payload: pagePayload(esc, ctx, ack),
        },
        ctx.now,
      );
      if (id) queued++;
    }
    paged.push(user.handle);
  }
  queued += await queueForAddresses(tx, recipients, {
    incidentId: ctx.incident?.id ?? null,
    escalationId: esc.id,
    keyPrefix: key,
    payload: { ...pagePayload(esc, ctx, undefined), kind: 'notify' },
    now: ctx.now,
  });
  if (ctx.incident) {
    await incidents.appendEvent(tx, {
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
        ...(alreadyPaged.length > 0 ? { already_paged: alreadyPaged } : {}),
        ...(recipients.empty.length > 0 ? { empty: recipients.empty } : {}),
      },
    });
  }
  await q.advanceEscalation(tx, esc.id, { ...nextPosition(esc, ctx.now), updated_at: ctx.now });
  return queued;
}

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

function pagePayload(
  esc: Row<'escalations'>,
  ctx: StepContext,
  ack: { url: string; code: string } | undefined,
) {
  const inc = ctx.incident;
  return {
    kind: 'page',
    text: esc.message,
    subject: inc ? `[${inc.severity}] ${inc.title}` : esc.message.split('\n')[0],
    ...(inc ? { incident: { id: inc.id, title: inc.title, severity: inc.severity, state: inc.state } } : {}),
    ...(ack ? { ack } : {}),
    escalation: { id: esc.id, source: esc.source, step: esc.step + 1, round: esc.round + 1 },
  };
}
