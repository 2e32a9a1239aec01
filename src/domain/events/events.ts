import { z } from 'zod';
import { type Actor, actorCan } from '../context.ts';

// Live events for the web console: what the triggers of migration 0301 send on tocsin_events when a
// change commits, and who may see which. Events carry ids only; the console fetches what changed
// through the API, where each operation checks permissions again.

export const EVENTS_CHANNEL = 'tocsin_events';

export const EVENT_KINDS = ['incident.changed', 'alert.changed', 'page.changed', 'oncall.changed'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

const eventSchema = z.looseObject({
  kind: z.enum(EVENT_KINDS),
  id: z.string().min(1),
  incident_id: z.string().nullish(),
  user_id: z.string().nullish(),
});
export type LiveEvent = z.infer<typeof eventSchema>;

const batchSchema = z.looseObject({
  kind: z.enum(EVENT_KINDS),
  batch: z.array(z.looseObject({ id: z.string().min(1), incident_id: z.string().nullish() })).max(1000),
});

/**
 * A NOTIFY payload as events: one event, or a batch of one kind (new alerts are announced 80 to a
 * notification, migration 0630) as one event each. Anything else (a foreign or future payload) is
 * dropped.
 */
export function parseEvents(payload: string): LiveEvent[] {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return [];
  }
  // A batch (it has no id of its own, so it is never one event) skips the one-event check: a failed
  // zod parse builds its issues, which cost more than the batch's own parse (one per ingest commit).
  const batch = typeof value === 'object' && value !== null && 'batch' in value && !('id' in value);
  if (!batch) {
    const one = eventSchema.safeParse(value);
    if (one.success) return [one.data];
  }
  const many = batchSchema.safeParse(value);
  if (!many.success) return [];
  return many.data.batch.map((item) => ({ ...item, kind: many.data.kind }));
}

/**
 * Whether a reader may see an event. Everyone signed in reads incidents, alerts and schedules;
 * who is being paged (and how) is for responders and up, and for the person paged.
 */
export function visibleTo(actor: Actor, event: LiveEvent): boolean {
  // Permissions are the operations' own table (context.ts): no second list of who may read what.
  if (!actorCan(actor, 'read')) return false;
  if (event.kind === 'page.changed') {
    return actorCan(actor, 'contact:read-any') || (event.user_id != null && event.user_id === actor.userId);
  }
  return true;
}
