import { sql } from 'kysely';
import type { Database, Executor } from '../../db/schema.ts';

/** The incidents of a plan declared in [from, to), oldest first, after the cursor (an incident id). */
export function pastIncidents(
  db: Executor,
  plan: string,
  from: Date,
  to: Date,
  after: string | undefined,
  limit: number,
) {
  let q = db
    .selectFrom('incidents')
    .selectAll()
    .where('plan_name', '=', plan)
    .where('declared_at', '>=', from)
    .where('declared_at', '<', to)
    // A merged incident's story goes on in the one it was merged into: replayed there.
    .where('merged_into', 'is', null)
    // Exercises are rehearsals, not history the changed plan is weighed against.
    .where('exercise', '=', false);
  if (after) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
}

/** How many incidents of the plan were declared in [from, to) (the replay's progress total). */
export async function countPastIncidents(db: Executor, plan: string, from: Date, to: Date) {
  const row = await db
    .selectFrom('incidents')
    .select(sql<string>`count(*)`.as('n'))
    .where('plan_name', '=', plan)
    .where('declared_at', '>=', from)
    .where('declared_at', '<', to)
    .where('merged_into', 'is', null)
    .where('exercise', '=', false)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The incident's timeline with the handle of each person who acted (null: Tocsin itself). */
export function timeline(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_events')
    .leftJoin('users', 'users.id', 'incident_events.actor_id')
    .select(['incident_events.at', 'incident_events.kind', 'incident_events.data', 'users.handle'])
    .where('incident_events.incident_id', '=', incidentId)
    .orderBy('incident_events.id')
    .execute();
}

/** The incident's published updates, in order, with their texts. */
export function publishedUpdates(db: Executor, incidentId: string) {
  return db
    .selectFrom('incident_updates')
    .select(['id', 'audience', 'bodies', 'published_at', 'next_update_at'])
    .where('incident_id', '=', incidentId)
    .where('status', '=', 'published')
    .orderBy('published_at')
    .execute();
}

/** The alerts that fed the incident, in the order they were first seen, with their service's name. */
export function incidentAlerts(db: Executor, incidentId: string) {
  return db
    .selectFrom('alerts')
    .innerJoin('services', 'services.id', 'alerts.service_id')
    .select([
      'alerts.dedup_key',
      'alerts.summary',
      'alerts.severity',
      'alerts.labels',
      'alerts.routing',
      'alerts.first_seen_at',
      'alerts.resolved_at',
      'services.name as service',
    ])
    .where('alerts.incident_id', '=', incidentId)
    .orderBy('alerts.first_seen_at')
    .orderBy('alerts.id')
    .execute();
}

/**
 * The pages of an incident: messages an escalation queued for a person (a shadow's copy marked), in
 * the order they were queued.
 */
export function pagesOf(db: Executor, incidentId: string) {
  return db
    .selectFrom('outbox')
    .innerJoin('users', 'users.id', 'outbox.user_id')
    .select(['outbox.created_at', 'outbox.channel', 'users.handle', 'outbox.payload'])
    .where('outbox.incident_id', '=', incidentId)
    .where('outbox.escalation_id', 'is not', null)
    .orderBy('outbox.created_at')
    .orderBy('outbox.id')
    .execute();
}

// The people, on-call setup and services a replay pages and routes through, copied from the live store into the replay's
// store, parents before children (foreign keys).
export const DIRECTORY_TABLES = [
  'users',
  'teams',
  'team_members',
  'contact_methods',
  'notification_rules',
  'user_quiet_hours',
  'schedules',
  'schedule_overrides',
  'escalation_policies',
  // The services alerts come in on (their rules, owning team and escalation policy) and their
  // integrations: a replayed alert goes through the same routing and rules.
  'services',
  'integrations',
] as const satisfies readonly (keyof Database)[];
export type DirectoryTable = (typeof DIRECTORY_TABLES)[number];

/** The JSON columns of a table (their values go back in as JSON text, not as PostgreSQL arrays). */
export async function jsonColumns(db: Executor, table: DirectoryTable): Promise<Set<string>> {
  const rows = await sql<{ column_name: string }>`
    select column_name from information_schema.columns
    where table_schema = current_schema() and table_name = ${table} and data_type in ('json', 'jsonb')`.execute(
    db,
  );
  return new Set(rows.rows.map((r) => r.column_name));
}

export async function allRows(db: Executor, table: DirectoryTable): Promise<Record<string, unknown>[]> {
  const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by 1`.execute(db);
  return rows.rows;
}

export async function insertRows(db: Executor, table: DirectoryTable, rows: Record<string, unknown>[]) {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0] as Record<string, unknown>);
  const values = rows.map((r) => sql`(${sql.join(columns.map((c) => sql`${r[c]}`))})`);
  await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.id(c)))}) values ${sql.join(values)}`.execute(
    db,
  );
}

/** Moves a table's id sequence past the copied ids, so rows the replay creates get new ones. */
export async function bumpSequence(db: Executor, table: DirectoryTable) {
  await sql`select setval(pg_get_serial_sequence(${table}, 'id'), greatest((select max(id) from ${sql.table(table)}), 1))
    where pg_get_serial_sequence(${table}, 'id') is not null`.execute(db);
}
