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

const KINDS: ReadonlySet<string> = new Set(EVENT_KINDS);
const MAX_BATCH = 1000;

/**
 * A batch's events, checked by hand rather than by a zod schema: two batches arrive per ingest
 * commit (new alerts, then their routing decisions, migrations 0630 and 0711), one item per alert,
 * and a zod parse clones every item before it is copied once more with its kind. Same rules as the
 * one-event schema: a known kind, a non-empty string id, incident_id a string, null or absent;
 * anything else drops the whole batch.
 */
function batchEvents(value: { kind?: unknown; batch?: unknown }): LiveEvent[] {
  const { kind, batch } = value;
  if (typeof kind !== 'string' || !KINDS.has(kind) || !Array.isArray(batch) || batch.length > MAX_BATCH)
    return [];
  const events: LiveEvent[] = [];
  for (const item of batch as unknown[]) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return [];
    const { id, incident_id } = item as { id?: unknown; incident_id?: unknown };
    if (typeof id !== 'string' || id.length === 0) return [];
    if (incident_id !== undefined && incident_id !== null && typeof incident_id !== 'string') return [];
    events.push({ ...(item as object), id, kind: kind as LiveEvent['kind'] } as LiveEvent);
  }
  return events;
}

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
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  // A batch (it has no id of its own, so it is never one event) skips the one-event check: a failed
  // zod parse builds its issues, which cost more than the batch's own parse (one per ingest commit).
  if (!('batch' in value) || 'id' in value) {
    const one = eventSchema.safeParse(value);
    if (one.success) return [one.data];
  }
  return batchEvents(value);
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
