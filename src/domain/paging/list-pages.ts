import { z } from 'zod';
import { cursorParam, decodeCursor, pageOf } from '../../lib/cursor.ts';
import type { Ctx, Operation } from '../context.ts';
import { readVisibleIncident } from '../incidents/change.ts';
import { hiddenIncidentIds } from '../incidents/confidential.ts';
import * as q from './queries.ts';

// Page history: "who was notified, how, when, and did it arrive?" — the escalations of an incident
// and every message they (or routed notifications) queued for a person, with delivery status.

export async function listIncidentPages({ ctx, input }: Operation<{ incidentId: string }>) {
  ctx.require('read');
  const { incident } = await readVisibleIncident(ctx, input.incidentId);
  const [escalations, messages] = await Promise.all([
    q.listEscalations(ctx.db, incident.id),
    q.listPageMessages(ctx.db, { incidentId: incident.id }),
  ]);
  return { escalations: escalations.map(showEscalation), messages: messages.map(showMessageTo(ctx)) };
}

export const listPagesQuerySchema = z.strictObject({
  status: z.enum(['active', 'acknowledged', 'resolved', 'exhausted', 'cancelled']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: cursorParam,
});

/** Every page (of incidents and manual ones), newest first; `next` is the cursor of the following page. */
export async function listPages({ ctx, input }: Operation<z.input<typeof listPagesQuerySchema>>) {
  ctx.require('read');
  const query = listPagesQuerySchema.parse(input);
  const rows = await q.listAllEscalations(ctx.db, {
    status: query.status,
    limit: query.limit + 1,
    beforeId: query.cursor === undefined ? undefined : decodeCursor(query.cursor).id,
  });
  const page = pageOf(rows, query.limit, (r) => ({ id: r.id }));
  // Pages of a confidential incident the caller may not see are left out (the cursor follows the rows read).
  const hidden = await hiddenIncidentIds(
    ctx.db,
    page.items.map((e) => e.incident_id),
    ctx.actor,
    ctx.clock.now(),
  );
  const shown = page.items.filter((e) => e.incident_id === null || !hidden.has(e.incident_id));
  return { pages: shown.map(showEscalation), next: page.next };
}

/** A page without an incident (tocsin page user:x), with its messages. */
export async function getPage({ ctx, input }: Operation<{ id: string }>) {
  ctx.require('read');
  const esc = /^\d+$/.test(input.id) ? await q.findEscalation(ctx.db, input.id) : undefined;
  if (!esc) return undefined;
  if (
    esc.incident_id &&
    (await hiddenIncidentIds(ctx.db, [esc.incident_id], ctx.actor, ctx.clock.now())).size > 0
  ) {
    return undefined;
  }
  const messages = await q.listPageMessages(ctx.db, { escalationId: esc.id });
  return { ...showEscalation(esc), messages: messages.map(showMessageTo(ctx)) };
}

type EscalationRow = Awaited<ReturnType<typeof q.listEscalations>>[number];
type MessageRow = Awaited<ReturnType<typeof q.listPageMessages>>[number];

function showEscalation(e: EscalationRow) {
  return {
    id: e.id,
    incident_id: e.incident_id,
    kind: e.kind,
    source: e.source,
    status: e.status,
    step: Math.min(e.step + 1, e.steps.length),
    steps: e.steps.length,
    round: e.round + 1,
    repeat: e.repeat,
    channels: e.channels,
    next_at: e.next_at,
    started_at: e.started_at,
    updated_at: e.updated_at,
    ended_by: e.ended_by,
  };
}

/**
 * Someone's phone number or address is theirs: who may not read others' contact methods (viewers)
 * sees where their own pages went, and for others only the channel. A delivery error often quotes
 * the address, so it goes too. Messages to no person (a chat channel, a group address) stay shown.
 */
function showMessageTo(ctx: Ctx) {
  const seesAll = ctx.can('contact:read-any');
  return (m: MessageRow) => {
    const shown = showMessage(m);
    if (seesAll || m.user === null || m.user === ctx.actor.name) return shown;
    return { ...shown, destination: null, error: shown.error === null ? null : 'hidden' };
  };
}

function showMessage(m: MessageRow) {
  const payload = (m.payload ?? {}) as { escalation?: { step?: number; round?: number } };
  return {
    id: m.id,
    user: m.user,
    channel: m.channel,
    destination: m.destination,
    status: m.status,
    attempts: m.attempts,
    escalation: m.escalation,
    escalation_kind: m.escalation_kind,
    step: payload.escalation?.step ?? null,
    round: payload.escalation?.round ?? null,
    queued_at: m.created_at,
    // While it waits: when it goes out. Once claimed, next_attempt_at is the claim's lease (or the
    // next retry), not when it was due, so a sent message shows no due time ("due 08:53 sent 08:48").
    due_at: m.status === 'pending' ? m.next_attempt_at : null,
    sent_at: m.sent_at,
    provider_id: m.provider_id,
    error: m.last_error,
  };
}
