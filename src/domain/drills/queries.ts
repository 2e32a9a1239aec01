import { sql } from 'kysely';
import type { Executor } from '../../db/schema.ts';

export function publishedUpdates(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_updates')
    .select(['audience', 'published_at', 'next_update_at'])
    .where('incident_id', '=', incidentId)
    .where('status', '=', 'published')
    .orderBy('published_at')
    .execute();
}

export function workflowRuns(db: Executor, incidentId: string) {
  return db
    .selectFrom('workflow_runs')
    .select(['workflow', 'trigger_key', 'fired_at'])
    .where('incident_id', '=', incidentId)
    .orderBy('fired_at')
    .orderBy('id')
    .execute();
}

export function targetBreaches(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_target_breaches')
    .select(['target', 'due_at', 'breached_at'])
    .where('incident_id', '=', incidentId)
    .orderBy('breached_at')
    .execute();
}

/** Every message the drill queued (nothing is delivered in a drill: these would have been sent). */
export function queuedMessages(db: Executor, incidentIds: string[]) {
  return db
    .selectFrom('outbox')
    .leftJoin('users', 'users.id', 'outbox.user_id')
    .select(['outbox.created_at', 'outbox.channel', 'outbox.destination', 'outbox.payload', 'users.handle'])
    .where('outbox.incident_id', 'in', incidentIds.length > 0 ? incidentIds : ['0'])
    .orderBy('outbox.created_at')
    .orderBy('outbox.id')
    .execute();
}

/** Runs whose actions failed (fire.ts records [{error}] on the run). */
export function failedRuns(db: Executor, incidentId: string) {
  return db
    .selectFrom('workflow_runs')
    .select(['workflow', 'fired_at', 'actions'])
    .where('incident_id', '=', incidentId)
    .where(sql<boolean>`jsonb_path_exists(actions::jsonb, '$[*].error')`)
    .orderBy('fired_at')
    .execute();
}

/** Role assignments and handovers, in order. */
export function roleEvents(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_events')
    .select(['at', 'data'])
    .where('incident_id', '=', incidentId)
    .where('kind', '=', 'incident.role_assigned')
    .orderBy('id')
    .execute();
}

/** State changes, in order (for the verification window). */
export function stateEvents(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_events')
    .select(['at', 'data'])
    .where('incident_id', '=', incidentId)
    .where('kind', '=', 'incident.state_changed')
    .orderBy('id')
    .execute();
}

/** What the alert rules decided for an alert, and the incident it feeds. */
export function alertRouting(db: Executor, alertId: string) {
  return db
    .selectFrom('alerts')
    .select(['routing', 'incident_id'])
    .where('id', '=', alertId)
    .executeTakeFirst();
}

/** Tasks and action items of an incident with a due time, and their due reminders on its timeline. */
export async function dueItems(db: Executor, incidentId: string) {
  const items = await db
    .selectFrom('action_items')
    .select(['id', 'title', 'kind', 'due_at', 'created_at', 'done_at'])
    .where('incident_id', '=', incidentId)
    .where('due_at', 'is not', null)
    .orderBy('id')
    .execute();
  const events = await db
    .selectFrom('incident_events')
    .select(['kind', 'at', 'data'])
    .where('incident_id', '=', incidentId)
    .where('kind', 'in', ['task.due_soon', 'task.overdue'])
    .orderBy('id')
    .execute();
  return { items, events };
}

/** The incident's updates with their approval reviews (for the plan's approvals rule). */
export async function updatesWithReviews(db: Executor, incidentId: string) {
  const updates = await db
    .selectFrom('incident_updates')
    .select(['id', 'audience', 'status', 'revision', 'bodies', 'created_at', 'published_at'])
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
  const reviews =
    updates.length === 0
      ? []
      : await db
          .selectFrom('incident_update_reviews')
          .select(['update_id', 'revision', 'verdict', 'requirement', 'actor_name', 'at'])
          .where(
            'update_id',
            'in',
            updates.map((u) => u.id),
          )
          .orderBy('id')
          .execute();
  return updates.map((u) => ({
    ...u,
    id: String(u.id),
    reviews: reviews.filter((r) => String(r.update_id) === String(u.id)),
  }));
}

/**
 * The messages each published update queued, by update id: its subscriber notices (dedup key
 * …:update-ID) and its post in the incident channel (keyed by the update.published event).
 */
export async function messagesOfUpdates(db: Executor, incidentId: string) {
  const events = await db
    .selectFrom('incident_events')
    .select(['id', 'data'])
    .where('incident_id', '=', incidentId)
    .where('kind', '=', 'update.published')
    .execute();
  const eventOf = new Map(
    events.map((e) => [
      `incident-channel-post:${e.id}`,
      String((e.data as { update_id?: unknown }).update_id),
    ]),
  );
  const rows = await db
    .selectFrom('outbox')
    .select(['channel', 'destination', 'dedup_key', 'payload'])
    .where('incident_id', '=', incidentId)
    .where('dedup_key', 'is not', null)
    .orderBy('id')
    .execute();
  return rows.flatMap((r) => {
    const key = r.dedup_key as string;
    const updateId = eventOf.get(key) ?? /:update-(\d+)$/.exec(key)?.[1];
    return updateId ? [{ updateId, channel: r.channel, destination: r.destination, payload: r.payload }] : [];
  });
}

/** The confirmation link last queued for a subscribing address (the drill follows it, as the reader would). */
export async function confirmationLink(db: Executor, address: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('outbox')
    .select('payload')
    .where('template', '=', 'status-page.subscriber-confirmation')
    .where('destination', '=', address)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const text = String((row?.payload as { text?: unknown } | null)?.text ?? '');
  return /https?:\/\/\S+\?token=\S+/.exec(text)?.[0];
}

/**
 * The pages of an incident: each escalation's progress (a step or round past the first means it
 * escalated) and the policy its paging.started event names (best effort says so there).
 */
export async function pagesOf(db: Executor, incidentId: string) {
  const [escalations, started] = await Promise.all([
    db
      .selectFrom('escalations')
      .select(['id', 'step', 'round', 'started_at'])
      .where('incident_id', '=', incidentId)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('incident_events')
      .select(['at', 'data'])
      .where('incident_id', '=', incidentId)
      .where('kind', '=', 'paging.started')
      .orderBy('id')
      .execute(),
  ]);
  return { escalations, started };
}

/** When the next step of any active escalation in the drill's store falls due (null: none). */
export async function nextEscalationAt(db: Executor): Promise<Date | null> {
  const row = await db
    .selectFrom('escalations')
    .select((eb) => eb.fn.min('next_at').as('next_at'))
    .where('status', '=', 'active')
    .executeTakeFirst();
  return (row?.next_at as Date | null | undefined) ?? null;
}
