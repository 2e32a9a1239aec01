import type { Executor, Row } from '../../db/schema.ts';
import type { ContactKind } from '../../notify/message.ts';
import { notificationPlan } from '../contacts/notification-plan.ts';
import { heldUntil } from '../contacts/quiet-hours.ts';
import { SYSTEM_ACTOR } from '../context.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import * as incidents from '../incidents/queries.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import type { PlanCache } from '../workflows/plan-cache.ts';
import * as q from './queries.ts';
import { queueForAddresses, resolveRecipients } from './recipients.ts';
import { contactKinds, targetOf } from './steps.ts';

// Workflow notifications and handoff messages name people, not addresses: `user:<handle>`,
// `group:<plan group>`, `role:<incident role>`, with channel `auto` (each person's own rules) or one
// channel (email, sms, push …). Before delivery each such row fans out, in one transaction, into one
// row per contact, and is itself marked sent with provider id "routed:<n>".

export async function routeLogicalMessages(
  tx: Executor,
  now: Date,
  plans: PlanCache,
  limit = 200,
): Promise<number> {
  const rows = await q.claimLogicalMessages(tx, now, limit);
  for (const row of rows) {
    const fanned = await fanOut(tx, row, now, plans);
    await q.markRouted(tx, row.id, `routed:${fanned}`, now);
  }
  return rows.length;
}

async function fanOut(tx: Executor, row: Row<'outbox'>, now: Date, plans: PlanCache): Promise<number> {
  const incident = row.incident_id ? await incidents.findIncident(tx, row.incident_id) : undefined;
  const plan = incident ? await plans.get(tx, incident.plan_name, incident.plan_version) : null;
  const recipients = await resolveRecipients(tx, [targetOf(row.destination)], {
    incidentId: incident?.id ?? null,
    service: incident?.service ?? null,
    plan,
    now,
  });
  if (recipients.userIds.size + recipients.emails.size + recipients.chats.size === 0) {
    await recordUnrouted(tx, row, now);
    return 0;
  }
  // `auto`: each person's own rules; chat means their Slack; other channels name a contact kind.
  const named = contactKinds([row.channel]) as ContactKind[];
  const kinds = named.length > 0 ? named : undefined;
  let n = 0;
  // Notifications (not pages) wait out the person's quiet hours; a page always goes through.
  const lowUrgency = (row.payload as { kind?: unknown } | null)?.kind !== 'page';
  for (const userId of recipients.userIds) {
    let contacts = await notificationPlan(tx, userId, kinds);
    if (contacts.length === 0 && kinds) contacts = await notificationPlan(tx, userId);
    const held = lowUrgency ? await heldUntil(tx, userId, now) : null;
    const start = held ?? now;
    for (const [i, c] of contacts.entries()) {
      const id = await enqueueNotification(
        tx,
        {
          incidentId: row.incident_id,
          channel: c.kind,
          destination: c.address,
          template: row.template ?? undefined,
          dedupKey: `route:${row.id}:u${userId}:${i}`,
          userId,
          contactMethodId: c.contactMethodId,
          notBefore: new Date(start.getTime() + c.delaySeconds * 1000),
          payload: row.payload as Record<string, unknown>,
        },
        now,
      );
      if (id) n++;
    }
  }
  n += await queueForAddresses(tx, recipients, {
    incidentId: row.incident_id,
    keyPrefix: `route:${row.id}`,
    payload: row.payload as Record<string, unknown>,
    now,
  });
  return n;
}

/**
 * A message whose recipient names nobody (a group of no one Tocsin can message, a role nobody holds):
 * said on the incident's timeline and kept for /health/detailed, instead of vanishing as "routed".
 */
async function recordUnrouted(tx: Executor, row: Row<'outbox'>, now: Date): Promise<void> {
  const kind = (row.payload as { kind?: unknown } | null)?.kind;
  const what = `${typeof kind === 'string' ? kind : 'message'} (${row.channel})`;
  await q.insertUnrouted(tx, [{ at: now, incident_id: row.incident_id, recipient: row.destination, what }]);
  if (!row.incident_id) return;
  const text = (row.payload as { text?: unknown } | null)?.text;
  await incidents.appendEvent(tx, {
    incidentId: row.incident_id,
    kind: EVENT_KINDS.messageUnrouted,
    at: now,
    actor: SYSTEM_ACTOR,
    data: {
      recipient: row.destination,
      what,
      ...(typeof text === 'string' ? { text: text.slice(0, 200) } : {}),
    },
  });
}
